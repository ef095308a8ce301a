using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Fundament.Data.Sqlite;

/// <summary>
/// Prepared statements kept across uses on one long-lived connection (the writer). Microsoft.Data.Sqlite prepares a
/// command's SQL on its first execution and keeps it until the command is disposed, so a command handed out here is
/// not disposed by its user: disposing it hands it back, with its statement still compiled, for the next command
/// with the same text. Parsing and planning an INSERT cost more than running it (bench/RESULTS.md).
/// </summary>
/// <remarks>
/// A text already in use (a reader still open on it) gets a plain command. At <see cref="Capacity"/> texts the idle
/// ones are dropped and the cache fills again with what is hot; a schema change drops them too (<see cref="Clear"/>),
/// as statements of dropped tables would only take memory. Only the holder of the connection uses it, one at a time.
/// </remarks>
internal sealed class SqliteStatementCache
{
    public const int Capacity = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, SqliteStatementCache> Caches = new();

    private readonly Dictionary<string, CachedCommand> _commands = new(StringComparer.Ordinal);
    private readonly SqliteConnection _connection;

    private SqliteStatementCache(SqliteConnection connection) => _connection = connection;

    /// <summary>Prepared statements this cache compiled; tests compare it with the number of executions.</summary>
    internal int Prepared { get; private set; }

    /// <summary>Keeps statements for <paramref name="connection"/> from now on.</summary>
    public static SqliteStatementCache Attach(SqliteConnection connection) => Caches.GetValue(connection, c => new SqliteStatementCache(c));

    /// <summary>A command for <paramref name="sql"/>: a cached one on a connection with a cache, else a new one.</summary>
    public static SqliteCommand CreateCommand(SqliteConnection connection, string sql)
    {
        if (Caches.TryGetValue(connection, out var cache))
        {
            return cache.Rent(sql);
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Disposes every idle statement; one in use is disposed when its user is done with it.</summary>
    public void Clear()
    {
        foreach (var command in _commands.Values)
        {
            command.Evict();
        }

        _commands.Clear();
    }

    private SqliteCommand Rent(string sql)
    {
        if (_commands.TryGetValue(sql, out var cached))
        {
            if (cached.InUse)
            {
                var plain = _connection.CreateCommand();
                plain.CommandText = sql;
                return plain;
            }

            cached.InUse = true;
            return cached;
        }

        if (_commands.Count >= Capacity)
        {
            Clear();
        }

        cached = new CachedCommand(this) { Connection = _connection, CommandText = sql, InUse = true };
        _commands.Add(sql, cached);
        Prepared++;
        return cached;
    }

    private sealed class CachedCommand(SqliteStatementCache cache) : SqliteCommand
    {
        private bool _evicted;

        public bool InUse { get; set; }

        public void Evict()
        {
            _evicted = true;
            if (!InUse)
            {
                base.Dispose(disposing: true);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_evicted && cache._connection.State == System.Data.ConnectionState.Open)
            {
                // Back to the cache: the statement stays compiled; parameters and transaction are the next user's.
                Parameters.Clear();
                Transaction = null;
                InUse = false;
                return;
            }

            InUse = false;
            base.Dispose(disposing);
        }
    }
}

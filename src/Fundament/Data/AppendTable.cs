using System.Numerics;
using System.Runtime.InteropServices;

namespace Fundament.Data;

/// <summary>
/// A table that write transactions add rows to as their last write (realtime's change log, a row per record write):
/// the rows go in just before the commit, after everything else the transaction wrote, so they hold their locks and
/// take their sequence numbers as briefly as possible, and they commit or roll back with the transaction
/// (<see cref="WriteTransaction.Append"/>).
/// </summary>
/// <remarks>
/// On SQLite the rows of a whole commit group go in together just before the group's COMMIT: a statement or two for
/// the group instead of one per transaction, each of which also journalled the same table pages again for its savepoint.
/// </remarks>
public abstract class AppendTable<TRow>
{
    /// <summary>Most rows one INSERT takes.</summary>
    public const int MaxRowsPerInsert = 256;

    /// <summary>
    /// The INSERT of <paramref name="rows"/>, in order. The count is always a power of two up to
    /// <see cref="MaxRowsPerInsert"/>, so a table has at most nine statement texts to keep.
    /// </summary>
    protected internal abstract SqlBuilder Insert(ISqlDialect dialect, ReadOnlySpan<TRow> rows);

    /// <summary>The INSERTs of <paramref name="rows"/>: the largest powers of two first, so 12 rows take two statements.</summary>
    internal List<SqlBuilder> Inserts(ISqlDialect dialect, List<TRow> rows)
    {
        var span = CollectionsMarshal.AsSpan(rows);
        var inserts = new List<SqlBuilder>();
        while (!span.IsEmpty)
        {
            int count = 1 << BitOperations.Log2((uint)Math.Min(span.Length, MaxRowsPerInsert));
            inserts.Add(Insert(dialect, span[..count]));
            span = span[count..];
        }

        return inserts;
    }
}

/// <summary>The rows one transaction, or one SQLite commit group, appends to one <see cref="AppendTable{TRow}"/>.</summary>
internal abstract class AppendedRows
{
    public abstract object Table { get; }

    /// <summary>Adds the rows of a later transaction to the same table.</summary>
    public abstract void Add(AppendedRows later);

    public abstract List<SqlBuilder> Inserts(ISqlDialect dialect);

    /// <summary>Merges <paramref name="rows"/> into <paramref name="into"/> by table, keeping the order of the rows.</summary>
    public static void AddAll(List<AppendedRows> into, List<AppendedRows> rows)
    {
        foreach (var added in rows)
        {
            if (Of(into, added.Table) is { } existing)
            {
                existing.Add(added);
            }
            else
            {
                into.Add(added);
            }
        }
    }

    /// <summary>The rows for <paramref name="table"/> in <paramref name="rows"/>, if any: there is one table or two, hence a list.</summary>
    public static AppendedRows? Of(List<AppendedRows> rows, object table)
    {
        foreach (var candidate in rows)
        {
            if (candidate.Table == table)
            {
                return candidate;
            }
        }

        return null;
    }
}

internal sealed class AppendedRows<TRow>(AppendTable<TRow> table, TRow first) : AppendedRows
{
    private readonly List<TRow> _rows = [first];

    public override object Table => table;

    public void Add(TRow row) => _rows.Add(row);

    public override void Add(AppendedRows later) => _rows.AddRange(((AppendedRows<TRow>)later)._rows);

    public override List<SqlBuilder> Inserts(ISqlDialect dialect) => table.Inserts(dialect, _rows);
}

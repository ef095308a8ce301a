using Fundament.Collections.Fields;
using Fundament.Data;
using Fundament.Http;
using Fundament.Toolkit;

namespace Fundament.Identity;

/// <summary>A superuser as identity sees it; the password hash never leaves <see cref="SuperuserStore"/>.</summary>
public sealed record Superuser(string Id, string Email, DateTime CreatedAt);

/// <summary>SQL for superusers: the accounts that pass every rule and manage the schema.</summary>
public sealed class SuperuserStore(Database database, TimeProvider clock)
{
    public const int MinPasswordLength = 10;

    public async Task<Outcome<Superuser>> CreateAsync(string email, string password, CancellationToken cancellationToken)
    {
        if (Check(email, password) is { } invalid)
        {
            return invalid;
        }

        var now = Timestamps.Now(clock);
        var user = new Superuser(Uuids.NewV7(), email.Trim().ToLowerInvariant(), now);
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        if (await FindAsync(tx, user.Email, cancellationToken) is not null)
        {
            return ApiError.Conflict($"A superuser with the email {user.Email} already exists");
        }

        var insert = new SqlBuilder(tx.Dialect);
        insert.Append($"INSERT INTO \"{IdentityTables.Superusers}\" (id, email, password, created_at, updated_at) VALUES (")
              .Parameter(SqlType.Text, user.Id).Append(", ").Parameter(SqlType.Text, user.Email).Append(", ")
              .Parameter(SqlType.Text, PasswordHash.Create(password)).Append(", ")
              .Parameter(SqlType.Timestamp, now).Append(", ").Parameter(SqlType.Timestamp, now).Append(')');
        await tx.ExecuteAsync(insert, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>Sets a new password and revokes the superuser's refresh tokens.</summary>
    public async Task<ApiError?> SetPasswordAsync(string email, string password, CancellationToken cancellationToken)
    {
        if (Check(email, password) is { } invalid)
        {
            return invalid;
        }

        await using var tx = await database.BeginWriteAsync(cancellationToken);
        if (await FindAsync(tx, email, cancellationToken) is not { } user)
        {
            return ApiError.NotFound($"No superuser with the email {email}");
        }

        var update = new SqlBuilder(tx.Dialect);
        update.Append($"UPDATE \"{IdentityTables.Superusers}\" SET password = ").Parameter(SqlType.Text, PasswordHash.Create(password))
              .Append(", updated_at = ").Parameter(SqlType.Timestamp, Timestamps.Now(clock))
              .Append(" WHERE id = ").Parameter(SqlType.Text, user.Id);
        await tx.ExecuteAsync(update, cancellationToken);
        await RefreshTokens.RevokeSubjectAsync(tx, IdentityTables.SuperusersCollection, user.Id, Timestamps.Now(clock), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return null;
    }

    public async Task<ApiError?> DeleteAsync(string email, CancellationToken cancellationToken)
    {
        await using var tx = await database.BeginWriteAsync(cancellationToken);
        if (await FindAsync(tx, email, cancellationToken) is not { } user)
        {
            return ApiError.NotFound($"No superuser with the email {email}");
        }

        var delete = new SqlBuilder(tx.Dialect);
        delete.Append($"DELETE FROM \"{IdentityTables.Superusers}\" WHERE id = ").Parameter(SqlType.Text, user.Id);
        await tx.ExecuteAsync(delete, cancellationToken);
        await RefreshTokens.RevokeSubjectAsync(tx, IdentityTables.SuperusersCollection, user.Id, Timestamps.Now(clock), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return null;
    }

    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{IdentityTables.Superusers}\"";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Finds a superuser by id (for access tokens); null when deleted since.</summary>
    public async Task<Superuser?> FindByIdAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT id, email, created_at FROM \"{IdentityTables.Superusers}\" WHERE id = ").Parameter(SqlType.Text, id);
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Superuser(reader.GetString(0), reader.GetString(1), (DateTime)database.Dialect.Read(reader, 2, SqlType.Timestamp)!)
            : null;
    }

    /// <summary>Checks an email and password; the same hashing work is done whether or not the email exists.</summary>
    public async Task<Superuser?> VerifyAsync(string email, string password, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var sql = new SqlBuilder(database.Dialect);
        sql.Append($"SELECT id, email, created_at, password FROM \"{IdentityTables.Superusers}\" WHERE email = ")
           .Parameter(SqlType.Text, email.Trim().ToLowerInvariant());
        await using var command = sql.CreateCommand(connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            PasswordHash.Verify(password, PasswordHash.Decoy);
            return null;
        }

        var user = new Superuser(reader.GetString(0), reader.GetString(1), (DateTime)database.Dialect.Read(reader, 2, SqlType.Timestamp)!);
        return PasswordHash.Verify(password, reader.GetString(3)) ? user : null;
    }

    private static async Task<Superuser?> FindAsync(WriteTransaction tx, string email, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(tx.Dialect);
        sql.Append($"SELECT id, email, created_at FROM \"{IdentityTables.Superusers}\" WHERE email = ").Parameter(SqlType.Text, email.Trim().ToLowerInvariant());
        await using var command = tx.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Superuser(reader.GetString(0), reader.GetString(1), (DateTime)tx.Dialect.Read(reader, 2, SqlType.Timestamp)!)
            : null;
    }

    private static ApiError? Check(string email, string password)
    {
        var errors = new List<ErrorDetail>();
        if (!EmailField.IsValid(email.Trim()))
        {
            errors.Add(new("email", "must be a valid email address"));
        }

        if (password.Length < MinPasswordLength)
        {
            errors.Add(new("password", $"must be at least {MinPasswordLength} characters long"));
        }

        return errors.Count > 0 ? ApiError.Validation(errors) : null;
    }
}

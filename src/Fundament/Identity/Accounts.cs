using System.Text.Json;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;
using Fundament.Records;
using Fundament.Toolkit;

namespace Fundament.Identity;

/// <summary>The account a token or key stands for: a superuser, or a record of an auth collection.</summary>
public sealed record Account(TokenSubject Subject, Superuser? Superuser, Record? Record)
{
    public Caller ToCaller() => Superuser is not null
        ? new Caller { Kind = CallerKind.Superuser, Id = Superuser.Id, Collection = IdentityTables.SuperusersCollection }
        : new Caller { Kind = CallerKind.User, Id = Record!.Id, Collection = Subject.Collection, Auth = Record.ToDictionary() };

    /// <summary>Writes the account as clients see it (never a password).</summary>
    public void Write(Utf8JsonWriter writer)
    {
        if (Superuser is not null)
        {
            AuthEndpoints.WriteSuperuser(writer, Superuser);
        }
        else
        {
            RecordJson.Write(writer, Record!);
        }
    }
}

/// <summary>Finds accounts as they are now, so that a deleted account stops working at once.</summary>
public sealed class Accounts(Database database, SchemaRegistry schemas, SuperuserStore superusers)
{
    public async Task<Account?> FindAsync(TokenSubject subject, CancellationToken cancellationToken)
    {
        if (subject.Collection == IdentityTables.SuperusersCollection)
        {
            return await superusers.FindByIdAsync(subject.Id, cancellationToken) is { } superuser ? new Account(subject, superuser, null) : null;
        }

        if (schemas.Current.Find(subject.Collection) is not { IsAuth: true } collection || !Uuids.TryNormalize(subject.Id, out var id))
        {
            return null;
        }

        await using var connection = await database.OpenReadAsync(cancellationToken);
        var (record, _) = await RecordStore.FindAsync(connection, null, database.Dialect, collection, id, null, Rules.RuleContext.Anonymous,
            DeletedMode.Exclude, cancellationToken: cancellationToken);
        return record is null ? null : new Account(subject, null, record);
    }
}

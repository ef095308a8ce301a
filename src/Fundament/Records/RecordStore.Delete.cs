using System.Data.Common;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Http;

namespace Fundament.Records;

public static partial class RecordStore
{
    /// <summary>
    /// Deletes a record: soft where the collection has soft delete (unless <paramref name="permanent"/>,
    /// which only superusers may ask for), hard otherwise. <see cref="RecordHooks.Deleted"/> runs after
    /// the row changed, in the same transaction.
    /// </summary>
    public static async Task<Outcome<Record>> DeleteAsync(WriteTransaction tx, WriteContext context, Collection collection, string id,
        bool permanent, string? ifMatch, CancellationToken cancellationToken)
    {
        if (permanent && !context.Caller.IsSuperuser)
        {
            return ApiError.Forbidden("Only superusers can delete records permanently");
        }

        var deleted = permanent ? DeletedMode.Include : DeletedMode.Exclude;
        var current = await FindForWriteAsync(tx, context, collection, id, RuleAction.Delete, null, deleted, ifMatch, cancellationToken);
        if (!current.IsSuccess)
        {
            return current;
        }

        bool soft = collection.SoftDelete && !permanent;
        var sql = new SqlBuilder(tx.Dialect);
        if (soft)
        {
            sql.Append("UPDATE ").Identifier(collection.Table).Append(" SET ")
               .Identifier(Collection.DeletedAtField).Append(" = ").Parameter(SqlType.Timestamp, context.Now).Append(", ")
               .Identifier(Collection.UpdatedAtField).Append(" = ").Parameter(SqlType.Timestamp, context.Now);
        }
        else
        {
            sql.Append("DELETE FROM ").Identifier(collection.Table);
        }

        sql.Append(" WHERE ").Identifier(Collection.IdField).Append(" = ").Parameter(SqlType.Id, current.Value.Id);
        try
        {
            await tx.ExecuteAsync(sql, cancellationToken);
        }
        catch (DbException ex) when (tx.Dialect.Classify(ex) is { Kind: ConstraintKind.ForeignKey })
        {
            return ApiError.Conflict("The record is referenced by other records (a relation with on-delete restrict); delete or change those first");
        }

        var record = current.Value;
        if (soft)
        {
            // The row as the UPDATE left it, without reading it back.
            var values = (object?[])record.Values.Clone();
            values[collection.IndexOf(collection.DeletedAt!)] = context.Now;
            values[collection.IndexOf(collection.UpdatedAt)] = context.Now;
            record = new Record(collection, values);
        }

        await context.Hooks.DeletedAsync(new RecordDeletion(tx, context, collection, record, !soft), cancellationToken);
        return current;
    }

    /// <summary>
    /// Undoes a soft delete; restoring a live record changes nothing. Hooks see it as an update of
    /// <c>deleted_at</c> and <c>updated_at</c>.
    /// </summary>
    public static async Task<Outcome<Record>> RestoreAsync(WriteTransaction tx, WriteContext context, Collection collection, string id, CancellationToken cancellationToken)
    {
        if (!collection.SoftDelete)
        {
            return ApiError.BadRequest($"'{collection.Name}' does not use soft delete");
        }

        var current = await FindForWriteAsync(tx, context, collection, id, RuleAction.Update, null, DeletedMode.Include, null, cancellationToken);
        if (!current.IsSuccess || current.Value[collection.DeletedAt!] is null)
        {
            return current;
        }

        var after = (object?[])current.Value.Values.Clone();
        after[collection.IndexOf(collection.DeletedAt!)] = null;
        after[collection.IndexOf(collection.UpdatedAt)] = context.Now;
        var write = new RecordWrite(tx, context, collection, current.Value.Values, after);
        if (await context.Hooks.ValidateAsync(write, cancellationToken) is { } vetoed)
        {
            return vetoed;
        }

        var sql = new SqlBuilder(tx.Dialect);
        sql.Append("UPDATE ").Identifier(collection.Table).Append(" AS ").Append(Alias).Append(" SET ")
           .Identifier(Collection.DeletedAtField).Append(" = NULL, ")
           .Identifier(Collection.UpdatedAtField).Append(" = ").Parameter(SqlType.Timestamp, context.Now)
           .Append(" WHERE ").Column(Alias, Collection.IdField).Append(" = ").Parameter(SqlType.Id, current.Value.Id);
        AppendReturning(sql, collection);
        var restored = await WriteReturningAsync(tx, collection, sql, cancellationToken);
        if (restored.IsSuccess)
        {
            await context.Hooks.WrittenAsync(write with { After = restored.Value.Values, Written = restored.Value }, cancellationToken);
        }

        return restored;
    }
}

using System.Data.Common;
using Fundament.Collections;
using Fundament.Data;
using Fundament.Records;
using Fundament.Rules;
using Microsoft.Extensions.Logging;

namespace Fundament.Realtime;

/// <summary>
/// Decides, for each subscriber, what a change means to it — judged on that subscriber's own rules and
/// identity. Rules that compare the record's own fields with <c>@request.auth.*</c> and literals are
/// evaluated in memory (<see cref="CompiledFilter.Match"/>), so thousands of subscribers cost no query;
/// the few checks only the database can answer (relation paths …) go to one query per batch of subscribers.
/// Anything in doubt — a failed query, values that no longer fit the schema — is not delivered.
/// </summary>
internal sealed partial class Visibility(Database database, SchemaRegistry schemas, AccessRules rules, TimeProvider clock, ILogger<Visibility> logger)
{
    /// <summary>Subscribers judged by one query when memory cannot decide.</summary>
    public const int QueryBatch = 64;

    private static readonly bool[] States = [false, true];

    /// <summary>What <paramref name="change"/> means to each of <paramref name="subscribers"/>, in their order.</summary>
    public async ValueTask<Delivery[]> DecideAsync(Change change, IReadOnlyList<Subscriber> subscribers, CancellationToken cancellationToken)
    {
        var deliveries = new Delivery[subscribers.Count];
        var schema = schemas.Current;
        if (schema.Find(change.Collection) is not { } collection)
        {
            return deliveries;
        }

        var current = change.CurrentValues(collection);
        var previous = change.Action == ChangeActions.Update ? change.PreviousValues(collection) : null;
        if (current is null || (change.Action == ChangeActions.Update && previous is null))
        {
            LogUnreadable(change.Id, change.Collection);
            return deliveries;
        }

        var now = Timestamps.Now(clock);
        var seesNow = new RuleMatch[subscribers.Count];
        var sawBefore = new RuleMatch[subscribers.Count];
        List<Check>? checks = null;
        for (int i = 0; i < subscribers.Count; i++)
        {
            var subscriber = subscribers[i];
            if (subscriber.IsClosed || subscriber.RulesFor(change.Collection, schema, rules) is not { } compiled)
            {
                continue;
            }

            var context = new RuleContext { Auth = subscriber.Caller.Auth, Method = "GET", Now = now };
            seesNow[i] = Judge(compiled, change.RecordId, current, context);
            sawBefore[i] = previous is null ? RuleMatch.No : Judge(compiled, change.RecordId, previous, context);
            if (seesNow[i] == RuleMatch.NeedsDatabase)
            {
                (checks ??= []).Add(new Check(i, Before: false, compiled.Filters, context));
            }

            if (sawBefore[i] == RuleMatch.NeedsDatabase)
            {
                (checks ??= []).Add(new Check(i, Before: true, compiled.Filters, context));
            }
        }

        if (checks is not null)
        {
            await ResolveAsync(collection, current, previous, checks, seesNow, sawBefore, cancellationToken);
        }

        for (int i = 0; i < deliveries.Length; i++)
        {
            deliveries[i] = Deliver(change.Action, seesNow[i] == RuleMatch.Yes, sawBefore[i] == RuleMatch.Yes);
        }

        return deliveries;
    }

    private static Delivery Deliver(string action, bool seesNow, bool sawBefore) => action switch
    {
        ChangeActions.Create => seesNow ? Delivery.Create : Delivery.None,
        ChangeActions.Delete => seesNow ? Delivery.Delete : Delivery.None,
        _ => (seesNow, sawBefore) switch
        {
            (true, true) => Delivery.Update,
            (true, false) => Delivery.Create,
            (false, true) => Delivery.Leave,
            _ => Delivery.None,
        },
    };

    /// <summary>One subscriber's rules on one state of the record; a soft-deleted record is seen by nobody.</summary>
    private static RuleMatch Judge(SubscriptionRules compiled, string recordId, IReadOnlyDictionary<string, object?> values, RuleContext context)
    {
        if ((compiled.RecordIds is { } ids && !ids.Contains(recordId)) ||
            (compiled.Collection.DeletedAt is not null && values.GetValueOrDefault(Collection.DeletedAtField) is not null))
        {
            return RuleMatch.No;
        }

        var result = RuleMatch.Yes;
        foreach (var filter in compiled.Filters)
        {
            switch (filter.Match(values, context))
            {
                case RuleMatch.No:
                    return RuleMatch.No;
                case RuleMatch.NeedsDatabase:
                    result = RuleMatch.NeedsDatabase;
                    break;
            }
        }

        return result;
    }

    private async Task ResolveAsync(Collection collection, IReadOnlyDictionary<string, object?> current, IReadOnlyDictionary<string, object?>? previous,
        List<Check> checks, RuleMatch[] seesNow, RuleMatch[] sawBefore, CancellationToken cancellationToken)
    {
        for (int start = 0; start < checks.Count; start += QueryBatch)
        {
            var batch = checks.GetRange(start, Math.Min(QueryBatch, checks.Count - start));
            foreach (bool before in States)
            {
                var group = batch.FindAll(check => check.Before == before);
                if (group.Count == 0)
                {
                    continue;
                }

                bool[]? answers = await QueryAsync(collection, before ? previous! : current, group, cancellationToken);
                for (int k = 0; k < group.Count; k++)
                {
                    var target = before ? sawBefore : seesNow;
                    target[group[k].Subscriber] = answers is not null && answers[k] ? RuleMatch.Yes : RuleMatch.No;
                }
            }
        }
    }

    /// <summary>
    /// Judges the checks on the record's values in one statement, one column per check:
    /// <c>SELECT CASE WHEN (rules) THEN 1 ELSE 0 END, … FROM (SELECT @p0 AS "id", …) t</c>. The record is
    /// given as values rather than read from its table, so the judgement is of the state the change
    /// recorded (a deleted row, a state since overwritten) while relation paths read their tables as usual.
    /// </summary>
    private async Task<bool[]?> QueryAsync(Collection collection, IReadOnlyDictionary<string, object?> values, List<Check> checks, CancellationToken cancellationToken)
    {
        var sql = new SqlBuilder(database.Dialect);
        sql.Append("SELECT ");
        for (int k = 0; k < checks.Count; k++)
        {
            sql.Append(k == 0 ? "CASE WHEN " : ", CASE WHEN ");
            var filters = checks[k].Filters;
            for (int f = 0; f < filters.Length; f++)
            {
                sql.Append(f == 0 ? string.Empty : " AND ");
                filters[f].AppendTo(sql, "t", checks[k].Context);
            }

            sql.Append(" THEN 1 ELSE 0 END");
        }

        sql.Append(" FROM (SELECT ");
        var fields = collection.VisibleFields;
        for (int i = 0; i < fields.Count; i++)
        {
            sql.Append(i == 0 ? string.Empty : ", ").Parameter(fields[i].SqlType, values.GetValueOrDefault(fields[i].Name)).Append(" AS ").Identifier(fields[i].Name);
        }

        sql.Append(") t");
        try
        {
            await using var connection = await database.OpenReadAsync(cancellationToken);
            await using var command = sql.CreateCommand(connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            var answers = new bool[checks.Count];
            for (int k = 0; k < answers.Length; k++)
            {
                answers[k] = Convert.ToInt64(reader.GetValue(k), System.Globalization.CultureInfo.InvariantCulture) == 1;
            }

            // The answers decide what a stream is sent, as the data they were read from would.
            await database.WhenReadsDurable();
            return answers;
        }
        catch (DbException ex)
        {
            LogQueryFailed(ex, collection.Name);
            return null;
        }
    }

    private readonly record struct Check(int Subscriber, bool Before, CompiledFilter[] Filters, RuleContext Context);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Realtime change {ChangeId} of {Collection} no longer fits its schema; it is not delivered")]
    private partial void LogUnreadable(long changeId, string collection);

    [LoggerMessage(Level = LogLevel.Error, Message = "Realtime rule check on {Collection} failed; the change is not delivered to the subscribers it concerned")]
    private partial void LogQueryFailed(Exception exception, string collection);
}

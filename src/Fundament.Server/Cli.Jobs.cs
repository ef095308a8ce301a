using System.CommandLine;
using System.Globalization;
using Fundament.Jobs;

namespace Fundament.Server;

internal static partial class Cli
{
    private static Command JobsCommand()
    {
        var command = new Command("jobs", "Inspect the job queue, replay dead jobs and purge finished ones.");

        var state = new Option<string?>("--state") { Description = $"Only jobs in this state ({string.Join(", ", JobStates.All)})" };
        var type = new Option<string?>("--type") { Description = "Only jobs of this type, e.g. http or email.send" };
        var queue = new Option<string?>("--queue") { Description = "Only jobs in this queue" };
        var limit = new Option<int>("--limit") { Description = "How many to show, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List jobs, newest first.") { state, type, queue, limit, Dir, Db };
        list.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            string? wanted = parse.GetValue(state);
            if (wanted is not null && !JobStates.All.Contains(wanted))
            {
                return Report(null, Http.ApiError.BadRequest($"--state must be one of {string.Join(", ", JobStates.All)}"));
            }

            var jobs = await app.Services.GetRequiredService<JobStore>()
                .ListAsync(new JobFilter(wanted, parse.GetValue(type), parse.GetValue(queue)), Math.Clamp(parse.GetValue(limit), 1, 10_000), null, ct);
            Console.WriteLine($"{"ID",-36}  {"TYPE",-16} {"QUEUE",-10} {"STATE",-9} {"TRIES",-5}  {"RUN AT",-20} LAST ERROR");
            foreach (var job in jobs)
            {
                string error = job.LastError is { Length: > 60 } long_ ? long_[..57] + "..." : job.LastError ?? "";
                Console.WriteLine($"{job.Id,-36}  {job.Type,-16} {job.Queue,-10} {job.State,-9} {job.Attempts + "/" + job.MaxAttempts,-5}  " +
                                  $"{job.RunAt.ToString("u", CultureInfo.InvariantCulture),-20} {error}");
            }

            return 0;
        }));

        var id = new Argument<string?>("ID") { Description = "The dead or cancelled job to run again", Arity = ArgumentArity.ZeroOrOne };
        var allDead = new Option<bool>("--all-dead") { Description = "Replay every dead job" };
        var retry = new Command("retry", "Put a dead or cancelled job (or every dead job) back in the queue.") { id, allDead, Dir, Db };
        retry.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var store = app.Services.GetRequiredService<JobStore>();
            if (parse.GetValue(allDead))
            {
                int replayed = 0;
                List<Job> dead;
                while ((dead = await store.ListAsync(new JobFilter(JobStates.Dead), 500, null, ct)).Count > 0)
                {
                    int before = replayed;
                    foreach (var job in dead)
                    {
                        replayed += (await store.RetryAsync(job.Id, ct)).Changed ? 1 : 0;
                    }

                    if (replayed == before)
                    {
                        break;
                    }
                }

                return Report($"Put {replayed} dead job(s) back in the queue.", null);
            }

            if (parse.GetValue(id) is not { } jobId || !Toolkit.Uuids.TryNormalize(jobId, out jobId))
            {
                return Report(null, Http.ApiError.BadRequest("Give a job ID or --all-dead"));
            }

            var change = await store.RetryAsync(jobId, ct);
            return change switch
            {
                { Job: null } => Report(null, Http.ApiError.NotFound($"Job {jobId} not found")),
                { Changed: false } => Report(null, Http.ApiError.Conflict($"Job {jobId} is {change.Job.State}; only dead or cancelled jobs can be retried")),
                _ => Report($"Job {jobId} is pending again.", null),
            };
        }));

        var states = new Option<string>("--state")
        {
            Description = "Comma-separated finished states to purge (default succeeded,cancelled,dead)",
            DefaultValueFactory = _ => "succeeded,cancelled,dead",
        };
        var olderThan = new Option<string>("--older-than") { Description = "Only jobs last changed longer ago than this: 30m, 12h, 7d (default 0: all)", DefaultValueFactory = _ => "0" };
        var purge = new Command("purge", "Delete finished jobs and their attempt logs.") { states, olderThan, Dir, Db };
        purge.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var chosen = parse.GetValue(states)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (chosen.Length == 0 || chosen.Any(s => !JobStates.IsFinished(s)))
            {
                return Report(null, Http.ApiError.BadRequest("--state takes finished states: succeeded, cancelled, dead"));
            }

            if (!TryParseAge(parse.GetValue(olderThan)!, out var age))
            {
                return Report(null, Http.ApiError.BadRequest("--older-than must look like 30m, 12h or 7d"));
            }

            int deleted = await app.Services.GetRequiredService<JobStore>().PurgeAsync(chosen, DateTime.UtcNow - age, ct);
            return Report($"Deleted {deleted} job(s).", null);
        }));

        var stats = new Command("stats", "Show jobs per queue and state, the oldest due job's wait, and the last hour's attempts.") { Dir, Db };
        stats.SetAction((parse, ct) => WithMigratedApp(parse, ct, async app =>
        {
            var figures = await app.Services.GetRequiredService<JobStore>().StatsAsync(ct);
            Console.WriteLine($"{"QUEUE",-16} {string.Join(" ", JobStates.All.Select(s => $"{s.ToUpperInvariant(),9}"))}  OLDEST DUE");
            foreach (var q in figures.Queues)
            {
                Console.WriteLine($"{q.Queue,-16} {string.Join(" ", JobStates.All.Select(s => $"{q.States[s],9}"))}  {(q.OldestDueSeconds is { } s ? $"{s:0.#} s" : "-")}");
            }

            Console.WriteLine($"Last hour: {figures.AttemptsLastHour} attempts, {figures.FailuresLastHour} failed.");
            return 0;
        }));

        command.Subcommands.Add(list);
        command.Subcommands.Add(retry);
        command.Subcommands.Add(purge);
        command.Subcommands.Add(stats);
        return command;
    }

    private static bool TryParseAge(string text, out TimeSpan age)
    {
        age = TimeSpan.Zero;
        if (text == "0")
        {
            return true;
        }

        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            return false;
        }

        age = text[^1] switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.MinValue,
        };
        return age != TimeSpan.MinValue;
    }
}

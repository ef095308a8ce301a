using System.Net;
using System.Text.Json;
using Fundament.Jobs;
using Fundament.Tests.Jobs;
using Fundament.Tests.Testing;
using static Fundament.Tests.OpenApi.OpenApiAssert;

namespace Fundament.Tests.OpenApi;

/// <summary>/api/jobs and /api/schedules in /openapi.json: every operation with its status codes, and schemas that fit the real answers.</summary>
public sealed class JobsDocumentTests : IAsyncLifetime
{
    private readonly TestJobs _jobs = new();
    private TestApp _app = null!;

    public async ValueTask InitializeAsync() =>
        _app = await TestApp.StartAsync(DbKind.Sqlite, new Dictionary<string, string?> { ["Fundament:JobPollMilliseconds"] = "50" }, configure: _jobs.Register);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("/api/jobs", "post", "enqueueJob", "JobRequest", "200 201 400 401 403 409 413 415 422")]
    [InlineData("/api/jobs", "get", "listJobs", null, "200 400 401 403")]
    [InlineData("/api/jobs/stats", "get", "jobStats", null, "200 401 403")]
    [InlineData("/api/jobs/signing-secret", "get", "jobSigningSecret", null, "200 401 403")]
    [InlineData("/api/jobs/{id}", "get", "getJob", null, "200 401 403 404")]
    [InlineData("/api/jobs/{id}", "delete", "cancelJob", null, "200 401 403 404 409")]
    [InlineData("/api/jobs/{id}/retry", "post", "retryJob", null, "200 401 403 404 409")]
    [InlineData("/api/schedules", "post", "createSchedule", "ScheduleRequest", "201 400 401 403 409 413 415 422")]
    [InlineData("/api/schedules", "get", "listSchedules", null, "200 401 403")]
    [InlineData("/api/schedules/{name}", "get", "getSchedule", null, "200 401 403 404")]
    [InlineData("/api/schedules/{name}", "patch", "updateSchedule", "ScheduleUpdateRequest", "200 400 401 403 404 413 415 422")]
    [InlineData("/api/schedules/{name}", "delete", "deleteSchedule", null, "204 401 403 404")]
    public async Task Job_routes_are_documented_for_superusers_with_their_status_codes(string path, string method, string operationId, string? body, string statuses)
    {
        var operation = Operation(await GetDocumentAsync(_app), path, method, operationId, "Jobs", body, statuses);
        Assert.Equal("required", Security(operation));
        Assert.Contains("`jobs`", operation.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Job_schemas_fit_what_the_endpoints_return()
    {
        var doc = await GetDocumentAsync(_app);
        var request = """{"type":"test.ok","payload":{"n":1},"idempotencyKey":"docs-1","backoff":{"initialMs":10}}""";
        var created = (await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(request)).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        Documented(doc, created, "Job");
        Assert.Equal(0, created.GetProperty("attemptLog").GetArrayLength());
        var again = (await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(request)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Assert.Equal(created.GetProperty("id").GetString(), again.GetProperty("id").GetString());

        string id = created.GetProperty("id").GetString()!;
        var done = await TestJobs.WaitForStateAsync(_app, id, JobStates.Succeeded);
        Documented(doc, done, "Job");
        Documented(doc, done.GetProperty("attemptLog")[0], "JobAttempt");
        Assert.Contains(done.GetProperty("state").GetString(), Strings(Schema(doc, "Job").GetProperty("properties").GetProperty("state").GetProperty("enum")));

        var list = await _app.Admin.GetAsync("/api/jobs?limit=1").ShouldBe(HttpStatusCode.OK);
        Documented(doc, list.GetProperty("data")[0], "Job");
        Documented(doc, list.GetProperty("meta"), "ListMeta");

        var stats = (await _app.Admin.GetAsync("/api/jobs/stats").ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Documented(doc, stats, "JobStats");
        Documented(doc, stats.GetProperty("queues")[0], "QueueStats");

        var secret = (await _app.Admin.GetAsync("/api/jobs/signing-secret").ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Documented(doc, secret, "JobSigningSecret");
        Assert.Matches(Schema(doc, "JobSigningSecret").GetProperty("properties").GetProperty("secret").GetProperty("pattern").GetString()!,
            secret.GetProperty("secret").GetString());

        var later = (await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent("""{"type":"test.ok","delaySeconds":3600}""")).ShouldBe(HttpStatusCode.Created))
            .GetProperty("data").GetProperty("id").GetString();
        Documented(doc, (await _app.Admin.DeleteAsync($"/api/jobs/{later}").ShouldBe(HttpStatusCode.OK)).GetProperty("data"), "Job");
        Documented(doc, (await _app.Admin.PostAsync($"/api/jobs/{later}/retry", null).ShouldBe(HttpStatusCode.OK)).GetProperty("data"), "Job");
        await _app.Admin.PostAsync($"/api/jobs/{later}/retry", null).ShouldBe(HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task Schedule_schemas_fit_what_the_endpoints_return()
    {
        var doc = await GetDocumentAsync(_app);
        var example = Schema(doc, "ScheduleRequest").GetProperty("examples")[0].GetRawText();
        var created = (await _app.Admin.PostAsync("/api/schedules", TestApp.JsonContent(example)).ShouldBe(HttpStatusCode.Created)).GetProperty("data");
        Documented(doc, created, "Schedule");
        Documented(doc, created.GetProperty("job"), "ScheduledJob");
        Documented(doc, created.GetProperty("job").GetProperty("backoff"), "Backoff");

        string name = created.GetProperty("name").GetString()!;
        var change = Schema(doc, "ScheduleUpdateRequest").GetProperty("examples")[0].GetRawText();
        var changed = (await _app.Admin.PatchAsync($"/api/schedules/{name}", TestApp.JsonContent(change)).ShouldBe(HttpStatusCode.OK)).GetProperty("data");
        Documented(doc, changed, "Schedule");
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("nextRunAt").ValueKind);
        Assert.All((await _app.Admin.GetAsync("/api/schedules").ShouldBe(HttpStatusCode.OK)).GetProperty("data").EnumerateArray(),
            schedule => Documented(doc, schedule, "Schedule"));
    }

    [Fact]
    public async Task Job_request_lists_the_registered_types_and_ties_built_in_types_to_their_payloads()
    {
        var doc = await GetDocumentAsync(_app);
        var request = Schema(doc, "JobRequest");
        var types = Strings(request.GetProperty("properties").GetProperty("type").GetProperty("enum"));
        Assert.Equal(_app.Get<JobHandlers>().Types, types.Select(type => type!));
        Assert.Contains("test.ok", types);
        Assert.False(request.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(["type"], Strings(request.GetProperty("required")));

        var rules = request.GetProperty("allOf").EnumerateArray().ToDictionary(
            rule => rule.GetProperty("if").GetProperty("properties").GetProperty("type").GetProperty("const").GetString()!,
            rule => rule.GetProperty("then").GetProperty("properties").GetProperty("payload").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/HttpJobPayload", rules["http"]);
        Assert.Equal("#/components/schemas/EmailJobPayload", rules["email.send"]);
        Assert.Equal("#/components/schemas/WebhookDeliverJobPayload", rules["webhook.deliver"]);
        Assert.Equal(3, rules.Count);

        // The documented examples are requests the server takes (a delay keeps them from running here).
        await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(request.GetProperty("examples")[0].GetRawText())).ShouldBe(HttpStatusCode.Created);
        foreach (var (type, schema) in (ValueTuple<string, string>[])[("http", "HttpJobPayload"), ("email.send", "EmailJobPayload")])
        {
            string payload = Schema(doc, schema).GetProperty("examples")[0].GetRawText();
            await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent($$"""{"type":"{{type}}","payload":{{payload}},"delaySeconds":3600}"""))
                .ShouldBe(HttpStatusCode.Created);
        }

        // The documented fields are the ones JobRequestJson reads; anything else is refused, as additionalProperties false says.
        Assert.Equal(["backoff", "delaySeconds", "idempotencyKey", "maxAttempts", "payload", "priority", "queue", "runAt", "timeoutSeconds", "type"],
            request.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var unknown = await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent("""{"type":"test.ok","retries":3}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Contains("retries", unknown.DetailFields());
        var scheduled = Schema(doc, "ScheduledJobRequest").GetProperty("properties");
        Assert.All((string[])["runAt", "delaySeconds", "idempotencyKey"], field => Assert.False(scheduled.TryGetProperty(field, out _), field));
        Assert.True(scheduled.TryGetProperty("payload", out _));
        Assert.False(Schema(doc, "InboundJobTemplate").GetProperty("properties").TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task Job_limits_in_the_document_are_the_ones_the_endpoints_apply()
    {
        var doc = await GetDocumentAsync(_app);
        var properties = Schema(doc, "JobRequest").GetProperty("properties");
        int maxAttempts = properties.GetProperty("maxAttempts").GetProperty("maximum").GetInt32();
        int maxPriority = properties.GetProperty("priority").GetProperty("maximum").GetInt32();
        await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent($$"""{"type":"test.ok","maxAttempts":{{maxAttempts}},"priority":{{maxPriority}},"delaySeconds":60}"""))
            .ShouldBe(HttpStatusCode.Created);
        var refused = await _app.Admin.PostAsync("/api/jobs", TestApp.JsonContent(
            $$"""{"type":"test.ok","maxAttempts":{{maxAttempts + 1}},"priority":{{maxPriority + 1}}}""")).ShouldBe(HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR");
        Assert.Equal(["maxAttempts", "priority"], refused.DetailFields().Order());

        var limit = doc.GetProperty("paths").GetProperty("/api/jobs").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .First(p => p.TryGetProperty("name", out var n) && n.GetString() == "limit").GetProperty("schema");
        await _app.Admin.GetAsync($"/api/jobs?limit={limit.GetProperty("maximum").GetInt32()}").ShouldBe(HttpStatusCode.OK);
        await _app.Admin.GetAsync($"/api/jobs?limit={limit.GetProperty("maximum").GetInt32() + 1}").ShouldBe(HttpStatusCode.BadRequest, "BAD_REQUEST");
    }
}

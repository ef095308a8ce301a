// The ceiling Fundament's read path is measured against: Kestrel and one minimal-API route that
// answers every GET /api/posts/{id} with the same JSON bytes. bench/run.sh captures a real record
// response from Fundament and passes it in CEILING_BODY_FILE, so both bodies have the same size.
// Usage: CEILING_BODY_FILE=body.json dotnet Ceiling.dll --urls http://127.0.0.1:PORT
string bodyFile = Environment.GetEnvironmentVariable("CEILING_BODY_FILE")
    ?? throw new InvalidOperationException("Set CEILING_BODY_FILE to the JSON body to serve");
byte[] body = File.ReadAllBytes(bodyFile);

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var app = builder.Build();
app.MapGet("/api/posts/{id}", (string id) => Results.Bytes(body, "application/json; charset=utf-8"));
app.MapGet("/health", () => Results.Text("ok"));
app.Run();

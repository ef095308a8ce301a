namespace Fundament.Tests.Testing;

/// <summary>Waits for something a background service does on its own time, failing with a message after a deadline.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task TrueAsync(Func<bool> condition, string message) => TrueAsync(() => Task.FromResult(condition()), message);

    public static async Task TrueAsync(Func<Task<bool>> condition, string message)
    {
        var deadline = DateTime.UtcNow + DefaultTimeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            await Task.Delay(100);
        }
    }
}

namespace Fundament.Observability;

/// <summary>
/// Start-up state: ready once start-up work (migrations, schema load) has finished, not ready again once
/// shutdown begins. <c>/api/health/ready</c> reads it through <see cref="MigrationsReadiness"/>.
/// </summary>
public sealed class Readiness
{
    private const int Starting = 0;
    private const int Ready = 1;
    private const int Stopping = 2;

    private volatile int _state;

    public bool IsReady => _state == Ready;

    public bool IsStopping => _state == Stopping;

    public void MarkReady() => _state = Ready;

    /// <summary>Called when the server begins to shut down, so load balancers stop sending traffic.</summary>
    public void MarkNotReady() => _state = Stopping;
}

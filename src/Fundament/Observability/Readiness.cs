namespace Fundament.Observability;

/// <summary>Set once start-up work (migrations, schema load) has finished; <c>/api/health/ready</c> reads it.</summary>
public sealed class Readiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;

    public void MarkNotReady() => _ready = false;
}

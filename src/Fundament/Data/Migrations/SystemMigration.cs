namespace Fundament.Data.Migrations;

/// <summary>
/// A migration that ships with Fundament (system tables, default collections). Features register
/// theirs in their <c>AddX()</c>; they run in name order before the data directory's own migrations.
/// Names start with a unix time and are append-only: never edit one that has shipped.
/// </summary>
public sealed record SystemMigration(string Name, Func<WriteTransaction, CancellationToken, Task> Up);

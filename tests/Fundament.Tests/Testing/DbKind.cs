namespace Fundament.Tests.Testing;

public enum DbKind
{
    Sqlite,
    Postgres,
}

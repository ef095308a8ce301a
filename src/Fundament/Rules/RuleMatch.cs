namespace Fundament.Rules;

/// <summary>What <see cref="CompiledFilter.Match"/> found for one record.</summary>
public enum RuleMatch
{
    /// <summary>The record does not match (the condition is false or, as SQL has it, unknown).</summary>
    No,

    Yes,

    /// <summary>Only the database can tell: a relation path, text ordering (a collation), case folding beyond ASCII.</summary>
    NeedsDatabase,
}

/// <summary>
/// SQL's three truth values plus <see cref="Undecided"/> for what memory cannot answer. Unknown
/// (<see cref="Null"/>) is kept apart from false because <c>NOT</c> of unknown stays unknown in SQL:
/// folding it into false would turn <c>!(owner = @request.auth.id)</c> true for an anonymous caller.
/// </summary>
internal enum Truth : byte
{
    False,
    True,
    Null,
    Undecided,
}

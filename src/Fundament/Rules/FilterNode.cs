namespace Fundament.Rules;

/// <summary>The parsed form of a filter, before it is checked against a collection. Positions are 0-based offsets.</summary>
internal abstract record FilterNode(int Position);

/// <summary>Two or more conditions joined by <c>&amp;&amp;</c>, kept flat so long chains need no deep recursion.</summary>
internal sealed record AndNode(IReadOnlyList<FilterNode> Items, int Position) : FilterNode(Position);

internal sealed record OrNode(IReadOnlyList<FilterNode> Items, int Position) : FilterNode(Position);

internal sealed record NotNode(FilterNode Operand, int Position) : FilterNode(Position);

/// <summary>A comparison; <see cref="FilterNode.Position"/> is the operator's.</summary>
internal sealed record CompareNode(OperandNode Left, TokenKind Operator, string OperatorText, OperandNode Right, int Position)
    : FilterNode(Position);

/// <summary>One side of a comparison. <see cref="Text"/> is its source text, for messages.</summary>
internal abstract record OperandNode(string Text, int Position);

/// <summary>A field of the collection, or a path through relations (<c>author.name</c>).</summary>
internal sealed record FieldOperand(IReadOnlyList<string> Path, string Text, int Position) : OperandNode(Text, Position);

internal sealed record StringOperand(string Value, string Text, int Position) : OperandNode(Text, Position);

/// <summary>A number literal: a <see cref="long"/> when integral and in range, otherwise a <see cref="double"/>.</summary>
internal sealed record NumberOperand(object Value, string Text, int Position) : OperandNode(Text, Position);

internal sealed record BoolOperand(bool Value, string Text, int Position) : OperandNode(Text, Position);

internal sealed record NullOperand(string Text, int Position) : OperandNode(Text, Position);

internal sealed record NowOperand(string Text, int Position) : OperandNode(Text, Position);

internal sealed record MethodOperand(string Text, int Position) : OperandNode(Text, Position);

internal sealed record AuthOperand(string Name, string Text, int Position) : OperandNode(Text, Position);

internal sealed record BodyOperand(string Name, string Text, int Position) : OperandNode(Text, Position);

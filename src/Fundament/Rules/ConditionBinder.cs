using System.Diagnostics;
using Fundament.Collections;
using Fundament.Collections.Fields;
using Fundament.Data;
using Fundament.Toolkit;

namespace Fundament.Rules;

/// <summary>
/// Checks a parsed filter against a collection and turns it into <see cref="SqlCondition"/>s: resolves
/// field paths through relations, picks the type each comparison is made in, and converts literals to
/// that type. The first problem found stops the work and is kept in <see cref="Error"/>.
/// </summary>
internal sealed class ConditionBinder(Collection collection, SchemaSnapshot schema)
{
    /// <summary>Path segments in <c>a.b.c</c>: at most two relation hops.</summary>
    public const int MaxPathSegments = 3;

    public FilterError Error { get; private set; }

    public bool UsesRelations { get; private set; }

    /// <summary>The collections the filter reads through relation paths.</summary>
    public HashSet<string> RelationTargets { get; } = new(StringComparer.Ordinal);

    public SqlCondition? Bind(FilterNode node) => node switch
    {
        AndNode and => BindJunction(and.Items, all: true),
        OrNode or => BindJunction(or.Items, all: false),
        NotNode not => Bind(not.Operand) is { } inner ? new NegatedCondition(inner) : null,
        CompareNode compare => BindCompare(compare),
        _ => throw new UnreachableException(),
    };

    private JunctionCondition? BindJunction(IReadOnlyList<FilterNode> nodes, bool all)
    {
        var items = new SqlCondition[nodes.Count];
        for (int i = 0; i < items.Length; i++)
        {
            if (Bind(nodes[i]) is not { } item)
            {
                return null;
            }

            items[i] = item;
        }

        return new JunctionCondition(items, all);
    }

    private SqlCondition? BindCompare(CompareNode node)
    {
        Field? leftField = null, rightField = null;
        ColumnSource? leftColumn = null, rightColumn = null;
        if ((node.Left is FieldOperand l && !TryResolve(l, out leftField, out leftColumn)) ||
            (node.Right is FieldOperand r && !TryResolve(r, out rightField, out rightColumn)))
        {
            return null;
        }

        var left = new Side(node.Left, leftField, leftColumn);
        var right = new Side(node.Right, rightField, rightColumn);
        if (node.Left is NullOperand || node.Right is NullOperand)
        {
            return BindNullCheck(node, node.Left is NullOperand ? right : left);
        }

        return node.Operator switch
        {
            TokenKind.AnyEqual => BindAnyElement(node, left, right),
            TokenKind.Contains or TokenKind.NotContains => BindContains(node, left, right),
            _ => BindComparison(node, left, right),
        };
    }

    private NullCondition? BindNullCheck(CompareNode node, Side other)
    {
        if (node.Operator is not (TokenKind.Equal or TokenKind.NotEqual))
        {
            return Fail<NullCondition>($"operator '{node.OperatorText}' cannot be used with null", node.Position);
        }

        var source = other.Node switch
        {
            FieldOperand => other.Column!,
            NullOperand => new ConstantSource(SqlType.Text, null),
            AuthOperand auth => RequestSource.Presence(fromBody: false, auth.Name),
            BodyOperand body => RequestSource.Presence(fromBody: true, body.Name),
            _ => Convert(other, OwnType(other.Node), string.Empty),
        };
        return new NullCondition(source!, isNull: node.Operator == TokenKind.Equal);
    }

    private AnyElementCondition? BindAnyElement(CompareNode node, Side left, Side right)
    {
        if (left.Field is not { Type: SelectField, Definition.Multiple: true })
        {
            return Fail<AnyElementCondition>($"operator '?=' needs a multiple select field on its left, not {Target(left)}", node.Position);
        }

        var value = TextValue(node, right, pattern: false);
        return value is null ? null : new AnyElementCondition(left.Column!, value);
    }

    private ContainsCondition? BindContains(CompareNode node, Side left, Side right)
    {
        SqlType leftType = left.Field?.SqlType ?? OwnType(left.Node);
        if (leftType is not (SqlType.Text or SqlType.Id))
        {
            return Fail<ContainsCondition>($"operator '{node.OperatorText}' cannot be used with {Target(left)}", node.Position);
        }

        ValueSource? text = left.Column ?? TextValue(node, left, pattern: false);
        var pattern = TextValue(node, right, pattern: true);
        return text is null || pattern is null
            ? null
            : new ContainsCondition(text, castToText: left.Field?.SqlType == SqlType.Id, pattern, node.Operator == TokenKind.NotContains);
    }

    /// <summary>The value side of <c>~</c> or <c>?=</c>: a string literal or a request value, never a field.</summary>
    private ValueSource? TextValue(CompareNode node, Side side, bool pattern) => side.Node switch
    {
        StringOperand text => new ConstantSource(SqlType.Text, pattern ? LikePattern.Escape(text.Value) : text.Value),
        MethodOperand => pattern ? MethodSource.Pattern : MethodSource.Plain,
        AuthOperand auth => pattern ? RequestSource.Pattern(false, auth.Name) : RequestSource.Typed(false, auth.Name, SqlType.Text),
        BodyOperand body => pattern ? RequestSource.Pattern(true, body.Name) : RequestSource.Typed(true, body.Name, SqlType.Text),
        FieldOperand => Fail<ValueSource>($"the right side of '{node.OperatorText}' must be a value, not a field", side.Node.Position),
        _ => Fail<ValueSource>($"operator '{node.OperatorText}' needs a string but {Describe(side)}", side.Node.Position),
    };

    private ComparisonCondition? BindComparison(CompareNode node, Side left, Side right)
    {
        // The comparison is made in the type of a field if there is one, else of a typed value.
        var anchor = left.Field is not null ? left
            : right.Field is not null ? right
            : left.Node is NowOperand or MethodOperand ? left
            : right.Node is NowOperand or MethodOperand ? right
            : left.Node is AuthOperand or BodyOperand ? right
            : left;
        var type = anchor.Field?.SqlType ?? OwnType(anchor.Node);
        bool range = node.Operator is not (TokenKind.Equal or TokenKind.NotEqual);
        if (type == SqlType.Json)
        {
            string use = anchor.Field!.Type is SelectField ? "'?=' or null" : "null";
            return Fail<ComparisonCondition>($"{Describe(anchor)} and can only be compared with {use}", node.Position);
        }

        if (range && type == SqlType.Boolean)
        {
            return Fail<ComparisonCondition>($"operator '{node.OperatorText}' cannot be used with {Target(anchor)}", node.Position);
        }

        string label = Describe(anchor);
        var leftSource = Convert(left, type, label);
        var rightSource = leftSource is null ? null : Convert(right, type, label);
        if (rightSource is null)
        {
            return null;
        }

        string op = node.Operator switch
        {
            TokenKind.Equal => "=",
            TokenKind.NotEqual => "<>",
            TokenKind.Greater => ">",
            TokenKind.GreaterOrEqual => ">=",
            TokenKind.Less => "<",
            _ => "<=",
        };
        return new ComparisonCondition(leftSource!, op, rightSource);
    }

    /// <summary>Turns one side into a source of <paramref name="type"/>; <paramref name="anchor"/> describes the side that set the type.</summary>
    private ValueSource? Convert(Side side, SqlType type, string anchor)
    {
        var node = side.Node;
        switch (node)
        {
            case FieldOperand when Compatible(side.Field!.SqlType, type):
                return side.Column;
            case StringOperand text when type == SqlType.Text:
                return new ConstantSource(SqlType.Text, text.Value);
            case StringOperand text when type == SqlType.Id:
                return Uuids.TryNormalize(text.Value, out var id)
                    ? new ConstantSource(SqlType.Id, id)
                    : Fail<ValueSource>($"{anchor} but {Quote(text.Value)} is not a valid UUID", node.Position);
            case StringOperand text when type == SqlType.Timestamp:
                return Timestamps.TryParse(text.Value, out var time)
                    ? new ConstantSource(SqlType.Timestamp, time)
                    : Fail<ValueSource>($"{anchor} but {Quote(text.Value)} is not a valid date", node.Position);
            case NumberOperand number when type == SqlType.Integer:
                return number.Value is long whole ? new ConstantSource(SqlType.Integer, whole) : new ConstantSource(SqlType.Real, number.Value);
            case NumberOperand number when type == SqlType.Real:
                return new ConstantSource(SqlType.Real, System.Convert.ToDouble(number.Value, System.Globalization.CultureInfo.InvariantCulture));
            case BoolOperand flag when type == SqlType.Boolean:
                return new ConstantSource(SqlType.Boolean, flag.Value);
            case NowOperand when type == SqlType.Timestamp:
                return NowSource.Instance;
            case MethodOperand when type == SqlType.Text:
                return MethodSource.Plain;
            case AuthOperand auth:
                return RequestSource.Typed(fromBody: false, auth.Name, type);
            case BodyOperand body:
                return RequestSource.Typed(fromBody: true, body.Name, type);
            default:
                return Fail<ValueSource>($"{anchor} but {Describe(side)}", node.Position);
        }
    }

    private static bool Compatible(SqlType field, SqlType type) =>
        field == type || (field is SqlType.Integer or SqlType.Real && type is SqlType.Integer or SqlType.Real);

    /// <summary>The type a value has on its own; request values default to text.</summary>
    private static SqlType OwnType(OperandNode node) => node switch
    {
        NumberOperand { Value: long } => SqlType.Integer,
        NumberOperand => SqlType.Real,
        BoolOperand => SqlType.Boolean,
        NowOperand => SqlType.Timestamp,
        _ => SqlType.Text,
    };

    private bool TryResolve(FieldOperand operand, out Field? field, out ColumnSource? column)
    {
        field = null;
        column = null;
        var path = operand.Path;
        if (path.Count > MaxPathSegments)
        {
            Fail<Field>($"field path '{FilterError.Shorten(operand.Text)}' has more than {MaxPathSegments} parts", operand.Position);
            return false;
        }

        var current = collection;
        var tables = new string[path.Count - 1];
        int offset = 0;
        for (int i = 0; i < path.Count; i++)
        {
            // Hidden fields (passwords) are reported as unknown, so a filter cannot probe for them.
            field = current.FindField(path[i]);
            if (field is null || field.Hidden)
            {
                Fail<Field>($"unknown field '{FilterError.Shorten(operand.Text[..(offset + path[i].Length)])}'", operand.Position + offset);
                return false;
            }

            if (i < path.Count - 1)
            {
                if (!field.IsRelation || schema.Find(field.Target!) is not { } target)
                {
                    Fail<Field>($"'{FilterError.Shorten(operand.Text[..(offset + path[i].Length)])}' is not a relation", operand.Position + offset);
                    return false;
                }

                tables[i] = target.Table;
                RelationTargets.Add(target.Name);
                current = target;
            }

            offset += path[i].Length + 1;
        }

        UsesRelations |= tables.Length > 0;
        column = new ColumnSource([.. path], tables);
        return true;
    }

    /// <summary>"'views' is a number", for type mismatches.</summary>
    private static string Describe(Side side) => Name(side) + " is " + Kind(side);

    /// <summary>"'views' (a number)", for operators that do not fit.</summary>
    private static string Target(Side side) => Name(side) + " (" + Kind(side) + ")";

    private static string Name(Side side) => side.Node switch
    {
        StringOperand text => Quote(text.Value),
        FieldOperand => Quote(side.Node.Text),
        _ => FilterError.Shorten(side.Node.Text),
    };

    private static string Kind(Side side) => side.Node switch
    {
        FieldOperand => Kind(side.Field!),
        StringOperand => "a string",
        NumberOperand => "a number",
        BoolOperand => "a boolean",
        NowOperand => "a datetime",
        MethodOperand => "text",
        _ => "a request value",
    };

    private static string Kind(Field field) => field.SqlType switch
    {
        SqlType.Text => "text",
        SqlType.Integer or SqlType.Real => "a number",
        SqlType.Boolean => "a boolean",
        SqlType.Timestamp => "a datetime",
        SqlType.Id => "an id",
        _ => field.Type is SelectField ? "a multiple select" : "JSON",
    };

    private static string Quote(string value) => "'" + FilterError.Shorten(value) + "'";

    private T? Fail<T>(string problem, int position)
        where T : class
    {
        Error = new FilterError(problem, position);
        return null;
    }

    /// <summary>One side of a comparison with its field, when it names one.</summary>
    private readonly record struct Side(OperandNode Node, Field? Field, ColumnSource? Column);
}

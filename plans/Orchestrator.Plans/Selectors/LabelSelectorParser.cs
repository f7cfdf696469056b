using System.Diagnostics.CodeAnalysis;

namespace Orchestrator.Plans.Selectors;

/// <summary>A hand-written scanner for <see cref="LabelSelector"/>; positions in errors are 1-based.</summary>
internal sealed class LabelSelectorParser(string text)
{
    private int _pos;

    public bool TryParse([NotNullWhen(true)] out LabelSelector? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        var requirements = new List<LabelRequirement>();
        SkipSpace();
        if (AtEnd)
        {
            error = Fail("the selector is empty; give at least one requirement such as 'role=web'");
            return false;
        }

        while (true)
        {
            if (!TryRequirement(out var requirement, out error))
            {
                return false;
            }

            requirements.Add(requirement);
            SkipSpace();
            if (AtEnd)
            {
                break;
            }

            if (text[_pos] != ',')
            {
                error = Fail($"expected ',' or the end of the selector, found '{text[_pos]}'");
                return false;
            }

            _pos++;
            SkipSpace();
        }

        result = new LabelSelector([.. requirements]);
        error = null;
        return true;
    }

    private bool AtEnd => _pos >= text.Length;

    private bool TryRequirement([NotNullWhen(true)] out LabelRequirement? requirement, [NotNullWhen(false)] out string? error)
    {
        requirement = null;
        if (!AtEnd && text[_pos] == '!')
        {
            _pos++;
            SkipSpace();
            if (!TryWord("a label key after '!'", out var absentKey, out error))
            {
                return false;
            }

            requirement = new LabelRequirement(absentKey, LabelOperator.DoesNotExist, []);
            return true;
        }

        if (!TryWord("a label key", out var key, out error))
        {
            return false;
        }

        SkipSpace();
        if (AtEnd || text[_pos] == ',')
        {
            requirement = new LabelRequirement(key, LabelOperator.Exists, []);
            return true;
        }

        LabelOperator op;
        if (Consume("==") || Consume("="))
        {
            op = LabelOperator.Equal;
        }
        else if (Consume("!="))
        {
            op = LabelOperator.NotEqual;
        }
        else
        {
            return TrySet(key, out requirement, out error);
        }

        SkipSpace();
        var value = ScanWord();
        requirement = new LabelRequirement(key, op, [value]);
        if (!AtEnd && !char.IsWhiteSpace(text[_pos]) && text[_pos] != ',')
        {
            error = Fail($"'{text[_pos]}' is not allowed in a label value (letters, digits, '.', '_', '/', '-')");
            return false;
        }

        return true;
    }

    private bool TrySet(string key, [NotNullWhen(true)] out LabelRequirement? requirement, [NotNullWhen(false)] out string? error)
    {
        requirement = null;
        var start = _pos;
        var word = ScanWord();
        LabelOperator op;
        if (word == "in")
        {
            op = LabelOperator.In;
        }
        else if (word == "notin")
        {
            op = LabelOperator.NotIn;
        }
        else
        {
            _pos = start;
            error = Fail($"expected '=', '==', '!=', 'in', 'notin', ',' or the end after label key '{key}'");
            return false;
        }

        SkipSpace();
        if (AtEnd || text[_pos] != '(')
        {
            error = Fail($"expected '(' after '{word}'");
            return false;
        }

        _pos++;
        var values = new List<string>();
        while (true)
        {
            SkipSpace();
            if (!TryWord("a label value", out var value, out error))
            {
                return false;
            }

            values.Add(value);
            SkipSpace();
            if (Consume(")"))
            {
                break;
            }

            if (!Consume(","))
            {
                error = Fail(AtEnd ? "expected ')' to close the value list" : $"expected ',' or ')' in the value list, found '{text[_pos]}'");
                return false;
            }
        }

        requirement = new LabelRequirement(key, op, values);
        error = null;
        return true;
    }

    private bool TryWord(string what, [NotNullWhen(true)] out string? word, [NotNullWhen(false)] out string? error)
    {
        word = ScanWord();
        if (word.Length > 0)
        {
            error = null;
            return true;
        }

        error = Fail(AtEnd
            ? $"expected {what}, found the end of the selector"
            : $"expected {what} (letters, digits, '.', '_', '/', '-'), found '{text[_pos]}'");
        word = null;
        return false;
    }

    private string ScanWord()
    {
        var start = _pos;
        while (!AtEnd && IsWordChar(text[_pos]))
        {
            _pos++;
        }

        return text[start.._pos];
    }

    private bool Consume(string token)
    {
        if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0)
        {
            return false;
        }

        _pos += token.Length;
        return true;
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(text[_pos]))
        {
            _pos++;
        }
    }

    private string Fail(string reason) => $"Label selector '{text}' is not valid at position {_pos + 1}: {reason}.";

    internal static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '/' or '-';
}

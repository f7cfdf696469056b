using System.Globalization;
using System.Text;

namespace Orchestrator.Api.Common;

/// <summary>
/// User input as an error message shows it: quoted, control characters escaped (<c>\u0000</c>), and cut after
/// <see cref="MaxShown"/> characters, so that a message never carries a NUL or a megabyte back.
/// </summary>
public static class Quote
{
    public const int MaxShown = 64;

    public static string Of(string? value)
    {
        if (value is null)
        {
            return "nothing";
        }
        var text = new StringBuilder("'");
        foreach (var c in value.Length > MaxShown ? value[..MaxShown] : value)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }
        text.Append('\'');
        if (value.Length > MaxShown)
        {
            text.Append($"… ({value.Length} characters)");
        }
        return text.ToString();
    }
}

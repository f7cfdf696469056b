using System.Buffers.Text;
using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

public sealed class CursorTests
{
    [Theory]
    [InlineData("plan-1")]
    [InlineData("instance:abc/0000000000000000001")]
    [InlineData("10.0.0.1:22")]
    [InlineData("@src0")]
    [InlineData("deploy/nightly")]
    public void Encode_AnyKeyOfTheAlphabet_DecodesBackToIt(string key)
    {
        var cursor = Cursor.Encode(key);

        Assert.True(Cursor.TryDecode(cursor, out var decoded, out var error), error);
        Assert.Equal(key, decoded);
        Assert.DoesNotContain(key, cursor, StringComparison.Ordinal);
        Assert.All(cursor, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    public static TheoryData<string?> NotCursors => new()
    {
        null,
        "",
        "plan-1",
        "\0",
        "a b",
        "AAAA",
        new string('A', 1025),
        Base64Url.EncodeToString([2, (byte)'a']),
        Base64Url.EncodeToString([1]),
        Base64Url.EncodeToString([1, (byte)'a', 0, (byte)'b']),
        Base64Url.EncodeToString([1, (byte)'a', (byte)' ']),
        Base64Url.EncodeToString([1, 0xC3, 0xA9]),
        Base64Url.EncodeToString([1, .. new byte[513].Select(_ => (byte)'a')]),
    };

    [Theory]
    [MemberData(nameof(NotCursors))]
    public void TryDecode_NotACursorOfOurs_IsRefusedWithAReason(string? cursor)
    {
        Assert.False(Cursor.TryDecode(cursor, out var key, out var error));
        Assert.Null(key);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.DoesNotContain('\0', error);
    }

    [Theory]
    [InlineData(0, 100, false)]
    [InlineData(99, 100, false)]
    [InlineData(100, 100, true)]
    public void Next_OnlyAFullPage_HasANextCursor(int count, int size, bool hasNext)
    {
        Assert.Equal(hasNext, Cursor.Next(count, size, () => "last") is not null);
    }
}

using Orchestrator.Runtime.Reminders;

namespace Orchestrator.Runtime.Tests.Reminders;

/// <summary>Which time zone ids resolve, and that nothing but <see cref="ScheduleFormatException"/> ever comes out.</summary>
public sealed class TimeZoneIdsTests
{
    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/London")]
    [InlineData("America/New_York")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("Africa/Cairo")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Antarctica/Troll")]
    [InlineData("Etc/UTC")]      // tz database legacy and alias names are zones too
    [InlineData("Etc/GMT+5")]
    [InlineData("GMT")]
    [InlineData("US/Eastern")]
    [InlineData("Asia/Calcutta")]
    [InlineData("CET")]
    [InlineData("EST5EDT")]
    public void Resolve_RealZone_ReturnsItUnderThatId(string id)
    {
        TimeZoneInfo zone = TimeZoneIds.Resolve(id);

        Assert.Equal(id, zone.Id);
        Assert.Equal(id, CronSchedule.Parse("0 0 * * *", id).TimeZoneId);
    }

    public static TheoryData<string?, string> BadIds() => new()
    {
        { null, "is required" },
        { "", "is required" },
        { "   ", "is required" },
        { "America", "not a known IANA time zone id" },        // a folder: .NET throws SecurityException
        { "Europe", "not a known IANA time zone id" },
        { "Etc", "not a known IANA time zone id" },
        { "posix", "not a time zone" },
        { "../etc/passwd", "does not start with a letter" },
        { "/etc/passwd", "an empty part" },
        { "Europe/../UTC", "does not start with a letter" },
        { "Europe/./London", "does not start with a letter" },
        { "Europe//London", "an empty part" },
        { "Europe/London/", "an empty part" },
        { "posixrules", "not a time zone" },
        { "localtime", "not a time zone" },
        { "Factory", "not a time zone" },
        { "posix/Europe/London", "not a time zone" },
        { "right/UTC", "not a time zone" },
        { "zone.tab", "character '.' is not allowed" },
        { "iso3166.tab", "character '.' is not allowed" },
        { "tzdata.zi", "character '.' is not allowed" },
        { "leapseconds", "not a known IANA time zone id" },
        { "Europe/London\0", "U+0000" },
        { "Europe\0/London", "U+0000" },
        { "\0", "does not start with a letter" },
        { "Europe/London\n", "U+000A" },
        { "America/New York", "U+0020" },
        { "Pacific Standard Time", "U+0020" },              // a Windows name
        { "utc", "did you mean 'UTC'" },                      // ids are case-sensitive
        { "europe/london", "did you mean 'Europe/London'" },
        { "Mars/Olympus_Mons", "not a known IANA time zone id" },
        { "Etc/Unknown", "not a known IANA time zone id" },
        { "Amérique/Paris", "U+00E9" },
        { "Europe/London/Extra/Part", "more than three" },
        { new string('A', 65), "at most 64 characters" },
        { new string('A', 100_000), "at most 64 characters" },
        { "Europe/" + new string('x', 57), "not a known IANA time zone id" }, // 64 characters: the shape is fine
    };

    [Theory]
    [MemberData(nameof(BadIds))]
    public void Resolve_NotAZone_ThrowsScheduleFormatExceptionNamingTheId(string? id, string reason)
    {
        var ex = Assert.Throws<ScheduleFormatException>(() => TimeZoneIds.Resolve(id));

        Assert.StartsWith("time zone '", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 400, ex.Message);
        Assert.Equal("timeZoneId", ex.ParamName);
        Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse("0 0 * * *", id!));
    }

    [Fact]
    public void Resolve_EveryZoneAndLinkOfTheTzDatabase_IsAccepted()
    {
        // tzdata.zi lists the database's zones ("Z name ...") and links ("L target name"). Not GetSystemTimeZones:
        // it also returns whatever odd ids the process looked up before (posixrules, utc, ...).
        const string source = "/usr/share/zoneinfo/tzdata.zi";
        Assert.True(File.Exists(source), "silos run on Linux, with tz data in " + source);
        var names = File.ReadLines(source)
            .Select(line => line.Split(' '))
            .Where(f => f[0] == "Z" || f[0] == "L")
            .Select(f => f[0] == "Z" ? f[1] : f[2])
            .Where(n => n != "Factory")
            .ToList();

        Assert.True(names.Count > 500, $"only {names.Count} names");
        Assert.All(names, n => Assert.Equal(n, TimeZoneIds.Resolve(n).Id));
    }

    [Fact]
    public void Resolve_EveryEntryUnderTheZoneinfoDirectory_ResolvesOrThrowsOnlyScheduleFormatException()
    {
        const string root = "/usr/share/zoneinfo";
        Assert.True(Directory.Exists(root), "silos run on Linux, with tz data in " + root);
        var names = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .ToList();

        int accepted = 0;
        foreach (string name in names)
        {
            try
            {
                Assert.Equal(name, TimeZoneIds.Resolve(name).Id);
                accepted++;
            }
            catch (ScheduleFormatException)
            {
                // Refused, as it should be for folders and non-zone files.
            }
        }

        Assert.True(accepted > 300, $"only {accepted} of {names.Count} accepted");
        Assert.Throws<ScheduleFormatException>(() => TimeZoneIds.Resolve("America"));
    }

    [Theory]
    [InlineData("utc")]
    [InlineData("europe/london")]
    [InlineData("posixrules")]
    public void ParseSaved_IdAnEarlierVersionAccepted_StillResolves(string id)
    {
        Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse("0 0 * * *", id));

        var saved = CronSchedule.ParseSaved("0 0 * * *", id, DayMatching.Either);

        Assert.Equal(id, saved.TimeZoneId);
        var midnight = new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Unspecified);
        Assert.Equal(new DateTimeOffset(midnight, saved.TimeZone.GetUtcOffset(midnight)), saved.NextAfter(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void ParseSaved_ExpressionOverTheLengthLimit_StillLoads()
    {
        string expression = string.Join(",", Enumerable.Repeat("1", 600)) + " * * * *";
        Assert.Contains("at most 1024 characters", Assert.Throws<ScheduleFormatException>(() => CronSchedule.Parse(expression)).Message, StringComparison.Ordinal);

        var saved = CronSchedule.ParseSaved(expression, "UTC", DayMatching.Either);

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 1, 1, 0, TimeSpan.Zero), saved.NextAfter(new DateTimeOffset(2026, 1, 1, 0, 59, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("America")]
    [InlineData("Mars/Base")]
    public void ParseSaved_IdNothingResolves_StillThrowsScheduleFormatException(string id)
    {
        Assert.Throws<ScheduleFormatException>(() => CronSchedule.ParseSaved("0 0 * * *", id, DayMatching.Either));
    }
}

using System.Collections;
using System.Reflection;

namespace Orchestrator.Plans.Tests.Support;

/// <summary>
/// Compares plan models field by field. The records hold lists and dictionaries, which a record's own equality
/// compares by reference; a round trip makes new ones, so the test needs to look inside.
/// </summary>
internal static class StructuralEquality
{
    public static void AssertEqual(object? expected, object? actual)
    {
        var difference = Compare(expected, actual, "plan");
        Assert.True(difference is null, difference);
    }

    private static string? Compare(object? expected, object? actual, string path)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        if (expected is System.Text.Json.JsonElement expectedJson && actual is System.Text.Json.JsonElement actualJson)
        {
            return System.Text.Json.JsonElement.DeepEquals(expectedJson, actualJson)
                ? null
                : $"{path}: expected {expectedJson.GetRawText()}, got {actualJson.GetRawText()}";
        }

        var type = expected.GetType();
        if (type.IsPrimitive || type.IsEnum || expected is string or TimeSpan)
        {
            return Equals(expected, actual) ? null : $"{path}: expected {Show(expected)}, got {Show(actual)}";
        }

        if (expected is IDictionary expectedMap && actual is IDictionary actualMap)
        {
            if (expectedMap.Count != actualMap.Count)
            {
                return $"{path}: expected {expectedMap.Count} entries, got {actualMap.Count}";
            }

            foreach (DictionaryEntry entry in expectedMap)
            {
                if (!actualMap.Contains(entry.Key))
                {
                    return $"{path}: key '{entry.Key}' missing";
                }

                if (Compare(entry.Value, actualMap[entry.Key], $"{path}.{entry.Key}") is { } difference)
                {
                    return difference;
                }
            }

            return null;
        }

        if (expected is IEnumerable expectedItems && actual is IEnumerable actualItems)
        {
            var left = expectedItems.Cast<object?>().ToList();
            var right = actualItems.Cast<object?>().ToList();
            if (left.Count != right.Count)
            {
                return $"{path}: expected {left.Count} items, got {right.Count}";
            }

            for (var i = 0; i < left.Count; i++)
            {
                if (Compare(left[i], right[i], $"{path}[{i}]") is { } difference)
                {
                    return difference;
                }
            }

            return null;
        }

        if (type != actual.GetType())
        {
            return $"{path}: expected a {type.Name}, got a {actual.GetType().Name}";
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0
                && Compare(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}") is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    private static string Show(object? value) => value is null ? "null" : $"'{value}'";
}

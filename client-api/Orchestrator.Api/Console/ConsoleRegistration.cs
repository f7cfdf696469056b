using Orchestrator.Api.Identity;

namespace Orchestrator.Api.WebConsole; // not ".Console": that would hide System.Console in the whole assembly

/// <summary>The web console (docs/console.md): its files, its session, and the API endpoints it adds (who am I, event streams).</summary>
public static class ConsoleRegistration
{
    public static IServiceCollection AddOrchestratorConsole(this IServiceCollection services) => services.AddConsoleCookie();

    /// <summary>
    /// <paramref name="callers"/>: the API's group needing an authenticated caller (<c>/api/v1/me</c>, the run's event
    /// stream); the files and the session endpoints are open (the session checks the token itself).
    /// </summary>
    public static void MapOrchestratorConsole(this IEndpointRouteBuilder routes, IEndpointRouteBuilder callers)
    {
        callers.MapMeApi();
        callers.MapInstanceEvents();
        callers.MapListEvents();
        callers.MapPlanEvents();
        routes.MapConsoleSession();
        routes.MapConsoleAssets();
    }
}

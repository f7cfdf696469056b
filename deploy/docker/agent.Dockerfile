# The agent image. Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t orchestrator/agent:0.1.0 .
# Scripts run inside this container with what the image has (sh, bash, setsid from Debian's base); derive an image
# with the interpreters and tools your plans need (python3, curl, ...). No token is baked in: ORCH_AGENT_TOKEN_FILE.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json NuGet.config Directory.Build.props Directory.Packages.props ./
COPY agent/Orchestrator.Agent/Orchestrator.Agent.csproj agent/Orchestrator.Agent/
COPY agent/Orchestrator.Agent.Protocol/Orchestrator.Agent.Protocol.csproj agent/Orchestrator.Agent.Protocol/
RUN dotnet restore agent/Orchestrator.Agent/Orchestrator.Agent.csproj
COPY agent/ agent/
RUN dotnet publish agent/Orchestrator.Agent/Orchestrator.Agent.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
LABEL org.opencontainers.image.title="orchestrator/agent" \
      org.opencontainers.image.description="Orchestrator agent: runs assignments on its host"
WORKDIR /app
COPY --from=build /app ./
# Unprivileged (uid 1654). Scripts are written and run in the work directory: a writable volume, so the root
# filesystem can be read-only (with /tmp a volume too).
ENV ORCH_AGENT_WORK_DIR=/var/lib/orchestrator-agent
RUN mkdir -p /var/lib/orchestrator-agent && chown $APP_UID:$APP_UID /var/lib/orchestrator-agent
USER $APP_UID
ENTRYPOINT ["dotnet", "Orchestrator.Agent.dll"]

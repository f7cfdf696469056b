# The silo image, also the API's (ORCH_ROLE=api). Build from the repository root:
#   docker build -f deploy/docker/silo.Dockerfile -t orchestrator/silo:0.1.0 .
# No secret or setting is baked in: they come from the environment and mounted files at run time (k8s/README.md).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so a source change does not download the packages again.
COPY global.json NuGet.config Directory.Build.props Directory.Packages.props ./
COPY agent/Orchestrator.Agent/Orchestrator.Agent.csproj agent/Orchestrator.Agent/
COPY agent/Orchestrator.Agent.Protocol/Orchestrator.Agent.Protocol.csproj agent/Orchestrator.Agent.Protocol/
COPY client-api/Orchestrator.Api/Orchestrator.Api.csproj client-api/Orchestrator.Api/
COPY containers/Orchestrator.Containers/Orchestrator.Containers.csproj containers/Orchestrator.Containers/
COPY grain-interfaces/Orchestrator.GrainInterfaces/Orchestrator.GrainInterfaces.csproj grain-interfaces/Orchestrator.GrainInterfaces/
COPY grains/Orchestrator.Grains/Orchestrator.Grains.csproj grains/Orchestrator.Grains/
COPY plans/Orchestrator.Plans/Orchestrator.Plans.csproj plans/Orchestrator.Plans/
COPY runtime/Orchestrator.Runtime/Orchestrator.Runtime.csproj runtime/Orchestrator.Runtime/
COPY silo/Orchestrator.Silo/Orchestrator.Silo.csproj silo/Orchestrator.Silo/
# The image's architecture (BuildKit sets it; amd64 without BuildKit): the publish precompiles for it (ReadyToRun).
ARG TARGETARCH
RUN dotnet restore silo/Orchestrator.Silo/Orchestrator.Silo.csproj -a "${TARGETARCH:-amd64}" -p:PublishReadyToRun=true
COPY agent/ agent/
COPY client-api/Orchestrator.Api/ client-api/Orchestrator.Api/
COPY containers/Orchestrator.Containers/ containers/Orchestrator.Containers/
COPY grain-interfaces/ grain-interfaces/
COPY grains/ grains/
COPY plans/ plans/
COPY runtime/ runtime/
COPY silo/ silo/
# ReadyToRun: the assemblies carry precompiled code, so a silo starts without compiling ours and Orleans' first. On
# 2 cores a silo is ready in 2.4-2.7 s instead of 3.5-3.9 s (single node), 3.0-3.3 s instead of 5.0-5.5 s (PostgreSQL
# cluster): faster rolling restarts (bench/README.md). Hot code is still recompiled optimized while it runs.
RUN dotnet publish silo/Orchestrator.Silo/Orchestrator.Silo.csproj -c Release --no-restore -a "${TARGETARCH:-amd64}" --self-contained false \
    -p:PublishReadyToRun=true -o /app \
    && rm -rf /app/data

FROM mcr.microsoft.com/dotnet/aspnet:10.0
LABEL org.opencontainers.image.title="orchestrator/silo" \
      org.opencontainers.image.description="Orchestrator silo (ORCH_ROLE=silo) or REST API process (ORCH_ROLE=api)"
WORKDIR /app
COPY --from=build /app ./
# The images' unprivileged user (uid 1654). The root filesystem can be mounted read-only: with PostgreSQL the silo
# writes nothing but /tmp (mount a volume there). The single-node SQLite mode (the default without settings) writes
# data/ under /app: the directory is the user's, so `docker run` works as it is; mount a volume at /app/data to keep it.
RUN mkdir /app/data && chown $APP_UID:$APP_UID /app/data
USER $APP_UID
EXPOSE 5080 11111 30000
ENTRYPOINT ["dotnet", "Orchestrator.Silo.dll"]
CMD ["--urls", "http://0.0.0.0:5080"]

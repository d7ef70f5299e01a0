# Multi-stage build of the Celeriac worker host. The final image has no SDK, runs as a non-root
# user and needs no writable root filesystem (mount a volume for the SQLite broker file if used).
#   docker build --target worker -t celeriac-worker .
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY worker/ worker/
RUN dotnet publish worker/Celeriac.Worker -c Release -o /out/worker --no-self-contained

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS worker
WORKDIR /app
COPY --from=build /out/worker ./
USER 65532:65532
ENV DOTNET_EnableDiagnostics=0 \
    ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/celeriac-worker.dll"]

# Multi-stage build of Celeriac's two images. Final images: no SDK, non-root, no shell (chiseled), and no
# writable root filesystem needed (readOnlyRootFilesystem: true; mount a volume for the SQLite broker file).
#   docker build --target worker   -t celeriac-worker .     # the worker host; users add task assemblies (examples/worker)
#   docker build --target operator -t celeriac-operator .   # the operator
# `make image` builds both with docker or podman.
ARG DOTNET_VERSION=10.0
# ICU and tzdata are needed: schedules use IANA time zones, tasks may format with cultures.
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble-chiseled-extra
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}

FROM --platform=$BUILDPLATFORM ${SDK_IMAGE} AS source
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY worker/ worker/
COPY operator/ operator/

FROM source AS build-worker
ARG TARGETARCH
RUN dotnet publish worker/Celeriac.Worker -c Release -a "${TARGETARCH:-amd64}" --self-contained false -o /out

# ReadyToRun: the operator starts ~20% faster (NativeAOT is not possible here: the broker clients it embeds
# use reflection).
FROM source AS build-operator
ARG TARGETARCH
RUN dotnet publish operator/Celeriac.Operator -c Release -a "${TARGETARCH:-amd64}" --self-contained false -p:PublishReadyToRun=true -o /out

FROM ${RUNTIME_IMAGE} AS worker
WORKDIR /app
COPY --from=build-worker /out ./
USER 65532:65532
ENV DOTNET_EnableDiagnostics=0 \
    ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/celeriac-worker.dll"]

FROM ${RUNTIME_IMAGE} AS operator
WORKDIR /app
COPY --from=build-operator /out ./
USER 65532:65532
ENV DOTNET_EnableDiagnostics=0 \
    Operator__Urls=http://+:8081
EXPOSE 8081
ENTRYPOINT ["dotnet", "/app/celeriac-operator.dll"]

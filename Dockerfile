# PocketNet Portal on a GPU host: the same sources, built against the CUDA build of libtorch and with ONNX Runtime's
# GPU package (Microsoft.ML.OnnxRuntime.Gpu.Linux, CUDA execution provider). Not built in this repository's CI
# (no GPU, no Docker there): kept to the versions below, which each component documents as compatible.
#
#   docker build -t pocketnet-portal .
#   docker run --rm --gpus all pocketnet-portal                       # runs ./run.sh (portal on 127.0.0.1:5000 inside
#                                                                      #   the container, i.e. unreachable from outside)
#   docker run --rm --gpus all -p 5000:5000 \
#       -e PORTAL_URL=http://0.0.0.0:5000 pocketnet-portal             # opt in to serving outside the container
#
# Until the web portal project exists, ./run.sh runs `pocketnet doctor`, which shows whether CUDA is seen.

# CUDA 12.4 toolkit + cuDNN 9 on Ubuntu 22.04. The devel flavour carries nvcc and the CUDA CMake bits that
# libtorch's find_package(Torch) needs to configure a CUDA build. cuDNN 9 and CUDA 12 are what ONNX Runtime's GPU
# package needs on the library path; libtorch (cu121, "with-deps") brings its own cuDNN 8 in /opt/libtorch/lib under
# another soname, and CUDA 12.x minor versions are compatible with each other.
FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04

ENV DEBIAN_FRONTEND=noninteractive \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1

# Build tools for the native C ABI (cmake, g++), python3 for the scripts, JPEG/PNG decoding (libjpeg-turbo,
# libpng), the ONNX schema (libonnx-dev) and npm (fetches the portal's browser libraries), and what the .NET SDK
# needs at run time (ICU; curl/ca-certificates/unzip fetch the SDK and libtorch).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl unzip cmake g++ python3 libicu70 libturbojpeg0-dev libpng-dev libonnx-dev npm \
 && rm -rf /var/lib/apt/lists/*

# The .NET 10 SDK, through Microsoft's official install script, into /usr/share/dotnet.
RUN curl -fsSL https://dot.net/v1/dotnet-install.sh -o /tmp/dotnet-install.sh \
 && bash /tmp/dotnet-install.sh --channel 10.0 --install-dir /usr/share/dotnet \
 && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && rm /tmp/dotnet-install.sh \
 && dotnet --list-sdks

# The official CUDA 12.1 build of libtorch (C++11 ABI, shared, with its CUDA/cuDNN dependencies) in
# /opt/libtorch. Change LIBTORCH_VERSION with --build-arg to take another 2.x release built for cu121.
ARG LIBTORCH_VERSION=2.1.2
RUN curl -fsSL -o /tmp/libtorch.zip \
      "https://download.pytorch.org/libtorch/cu121/libtorch-cxx11-abi-shared-with-deps-${LIBTORCH_VERSION}%2Bcu121.zip" \
 && unzip -q /tmp/libtorch.zip -d /opt \
 && rm /tmp/libtorch.zip \
 && test -f /opt/libtorch/share/cmake/Torch/TorchConfig.cmake

# src/native's CMake project calls find_package(Torch); CMAKE_PREFIX_PATH makes it find /opt/libtorch
# instead of any system libtorch. LD_LIBRARY_PATH lets the loader find libtorch's libraries at run time
# (libpntorch.so also records their build-time path).
ENV CMAKE_PREFIX_PATH=/opt/libtorch \
    LD_LIBRARY_PATH=/opt/libtorch/lib:${LD_LIBRARY_PATH}

# The sources (see .dockerignore: no bin/, obj/ or artifacts/ from the host, so CMake configures afresh).
WORKDIR /opt/pocketnet
COPY . .

# Build everything in Release. dotnet build also configures and compiles src/native against /opt/libtorch
# (found through CMAKE_PREFIX_PATH above). OnnxRuntimeGpu=true restores Microsoft.ML.OnnxRuntime.Gpu.Linux instead
# of the CPU package: its libonnxruntime_providers_cuda.so lands beside libonnxruntime.so in every application's
# output, and evaluations through ONNX Runtime on a cuda device use the CUDA execution provider.
RUN dotnet build PocketNet.Portal.sln -c Release -p:OnnxRuntimeGpu=true

# The portal's npm library (onnxruntime-web, for the in-browser face comparison).
RUN bash scripts/fetch-web-assets.sh

# Start through run.sh, without its Debian package step (it would pull Debian/Ubuntu's CPU libtorch) and
# without rebuilding (done above). The portal listens on localhost unless PORTAL_URL says otherwise.
ENV POCKETNET_SKIP_SETUP=1 \
    POCKETNET_SKIP_BUILD=1 \
    PORTAL_URL=http://127.0.0.1:5000
EXPOSE 5000
CMD ["./run.sh"]

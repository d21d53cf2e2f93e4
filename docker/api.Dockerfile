# The query API image: the kb-query-api jar and its runtime libraries on a JRE, as a non-root
# user, with a health check on /health/live. Base images are pinned to patch versions (Java 17,
# the poms' release). Build from the repository root:
#   docker build -f docker/api.Dockerfile --build-arg KB_VERSION=0.1.0-SNAPSHOT -t kb-stream/kb-api:0.1.0-SNAPSHOT .
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -pl query-api -am -DskipTests -DskipITs package \
 && mvn -B -q -pl query-api dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib

FROM eclipse-temurin:17.0.15_6-jre
ARG KB_VERSION=0.1.0-SNAPSHOT
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kb \
 && useradd --system --uid 10001 --gid kb --home-dir /app --create-home kb
WORKDIR /app
COPY --from=build /src/query-api/target/lib/ /app/lib/
COPY --from=build /src/query-api/target/kb-query-api-${KB_VERSION}.jar /app/kb-query-api.jar
# In a container the API binds all interfaces on a fixed port; the models are extracted to the
# (writable) home of the kb user.
ENV KB_API_HOST=0.0.0.0 \
    KB_API_PORT=8080 \
    KB_EMBEDDING_CACHE_DIR=/app/models
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/live || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=70", "-cp", "/app/kb-query-api.jar:/app/lib/*", "io.kbstream.api.ApiMain"]

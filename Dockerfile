# syntax=docker/dockerfile:1
# Build stage: the Maven Wrapper fetches Maven; tests run in CI, not in the image build.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY domain/ domain/
COPY application/ application/
COPY db/ db/
COPY adapters/ adapters/
COPY admin-web/ admin-web/
COPY bootstrap/ bootstrap/
RUN ./mvnw -B -q -DskipTests -Dmaven.test.skip=true package

# Runtime stage: a JRE and the one jar.
FROM eclipse-temurin:21-jre
RUN groupadd --system sluice && useradd --system --gid sluice --home-dir /data sluice \
    && mkdir -p /data && chown sluice:sluice /data
COPY --from=build /src/bootstrap/target/sluice.jar /app/sluice.jar
USER sluice
ENV SLUICE_DATA_DIR=/data
EXPOSE 8080 8081
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=60", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/sluice.jar"]

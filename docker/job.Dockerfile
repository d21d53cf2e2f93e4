# The job image: Flink with the shaded job jar as a user library. The Kubernetes operator
# (jarURI local:///opt/flink/usrlib/kb-jobs-<version>-job.jar) and compose's standalone-job both
# run it from there. The tag names the patch version the jobs are built against (the root pom's
# flink.version; DockerArtifactsTest checks it): a floating 1.20 tag would pull a newer patch whose
# opt/ plugin jars no longer have the names the manifests give them. Build from the repository
# root after `mvn -pl jobs -am package`:
#   docker build -f docker/job.Dockerfile --build-arg KB_VERSION=0.1.0-SNAPSHOT -t kb-stream/kb-jobs:0.1.0-SNAPSHOT .
FROM flink:1.20.3-java17
ARG KB_VERSION=0.1.0-SNAPSHOT
COPY --chown=flink:flink jobs/target/kb-jobs-${KB_VERSION}-job.jar /opt/flink/usrlib/kb-jobs-${KB_VERSION}-job.jar

package io.kbstream.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What the build produced: the version, and from it the job jar's name and image paths. */
public final class BuildInfo {

    /** Main class of the shaded job jar (its manifest) and the operator's entry class. */
    public static final String INDEXING_JOB_CLASS = "io.kbstream.jobs.IndexingJob";

    public static final String UPLOAD_JOB_CLASS = "io.kbstream.jobs.UploadJob";

    /** Where the job image keeps the jar (Flink's user-library folder). */
    public static final String USRLIB = "/opt/flink/usrlib";

    private BuildInfo() {}

    /** The project version this module was built with, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return property("version");
    }

    /**
     * The Flink version the jobs are built against, e.g. {@code 1.20.3}: the job image's tag and
     * the local cluster's jars carry the same.
     */
    public static String flinkVersion() {
        return property("flinkVersion");
    }

    private static String property(String name) {
        try (InputStream in =
                BuildInfo.class.getResourceAsStream("/io/kbstream/k8s/build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            String value = p.getProperty(name);
            if (value == null || value.contains("${")) {
                throw new IllegalStateException("build.properties was not filtered by Maven");
            }
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The shaded job jar's file name: {@code kb-jobs-<version>-job.jar}. */
    public static String jobJarName() {
        return "kb-jobs-" + version() + "-job.jar";
    }

    /** The jar inside the job image, as the operator's {@code jarURI}. */
    public static String jobJarUri() {
        return "local://" + USRLIB + "/" + jobJarName();
    }
}

package io.github.dubboredis.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import io.github.dubboredis.testkit.RedisServer;
import io.github.dubboredis.testkit.RespClient;

/**
 * What the build is about to publish, opened as a user gets it. The list of published modules lives here and in
 * docs/release.md: a module that is neither in it nor marked {@code maven.deploy.skip} fails the build.
 */
class PublishedArtifactsIT {

    private static final Path ROOT = Path.of(System.getProperty("release.root")).normalize();
    private static final String VERSION = System.getProperty("release.version");

    /** Published jar modules and the module name each declares. */
    private static final Map<String, String> JARS = Map.of(
            "dubbo-redis-registry", "io.github.dubboredis.registry",
            "dubbo-redis-testkit", "io.github.dubboredis.testkit",
            "dubbo-redis-cli", "io.github.dubboredis.cli",
            "dubbo-redis-console", "io.github.dubboredis.console");
    private static final String BOM = "dubbo-redis-bom";

    @Test
    void everyModuleIsEitherPublishedOrMarkedNotDeployed() throws Exception {
        TreeSet<String> published = new TreeSet<>();
        for (String module : texts(xml(ROOT.resolve("pom.xml")).getDocumentElement(), "modules", "module")) {
            Element project = xml(ROOT.resolve(module).resolve("pom.xml")).getDocumentElement();
            if (!"true".equals(String.join("", texts(project, "properties", "maven.deploy.skip")))) {
                published.add(module);
            }
        }
        TreeSet<String> expected = new TreeSet<>(JARS.keySet());
        expected.add(BOM);
        assertThat(published)
                .as("modules deployed to Maven Central: a new module sets maven.deploy.skip (not a product), or is added "
                        + "to this list, to the BOM and to docs/release.md")
                .isEqualTo(expected);
    }

    @Test
    void publishedJarsNameTheirModuleAndVersionAndComeWithSourcesAndJavadoc() throws Exception {
        for (Map.Entry<String, String> jar : JARS.entrySet()) {
            String module = jar.getKey();
            try (JarFile main = new JarFile(artifact(module, "").toFile())) {
                Manifest manifest = main.getManifest();
                assertThat(manifest.getMainAttributes().getValue("Automatic-Module-Name")).as(module).isEqualTo(jar.getValue());
                assertThat(manifest.getMainAttributes().getValue("Implementation-Version")).as(module).isEqualTo(VERSION);
            }
            try (JarFile sources = new JarFile(artifact(module, "-sources").toFile())) {
                assertThat(sources.stream().filter(e -> e.getName().endsWith(".java")).count()).as(module + " sources").isPositive();
            }
            try (JarFile javadoc = new JarFile(artifact(module, "-javadoc").toFile())) {
                assertThat(javadoc.getEntry("index.html")).as(module + " javadoc").isNotNull();
            }
        }
    }

    @Test
    void sbomListsWhatTheLibraryBringsButNotTheDubboTheApplicationProvides() throws IOException {
        assumeFalse("offline=true".equals(System.getProperty("release.maven-offline")), "cyclonedx-maven-plugin makes no SBOM when Maven runs offline");
        String sbom = Files.readString(ROOT.resolve("dubbo-redis-registry/target/bom.json"));
        assertThat(sbom).contains("\"bomFormat\" : \"CycloneDX\"")
                .contains("pkg:maven/io.github.dubboredis/dubbo-redis-registry@" + VERSION)
                .contains("pkg:maven/io.lettuce/lettuce-core@")
                .contains("\"id\" : \"Apache-2.0\"")
                .doesNotContain("pkg:maven/org.apache.dubbo/dubbo@");
        assertThat(ROOT.resolve("dubbo-redis-cli/target/bom.json")).exists();
    }

    @Test
    void bomHasNoParentAndManagesThePublishedArtifactsAtThisVersion() throws Exception {
        Element bom = xml(ROOT.resolve(BOM).resolve("target/.flattened-pom.xml")).getDocumentElement();
        assertThat(bom.getElementsByTagName("parent").getLength()).as("an imported BOM must not bring its parent's versions").isZero();
        assertThat(texts(bom, "version")).containsExactly(VERSION);
        assertThat(texts(bom, "licenses", "license", "name")).containsExactly("Apache-2.0");
        assertThat(texts(bom, "scm", "url")).singleElement().asString().startsWith("https://");
        List<String> managed = new ArrayList<>();
        for (Element dependency : children(bom, "dependencyManagement", "dependencies", "dependency")) {
            String classifier = String.join("", texts(dependency, "classifier"));
            managed.add(String.join("", texts(dependency, "artifactId")) + (classifier.isEmpty() ? "" : ":" + classifier));
            assertThat(texts(dependency, "version")).singleElement().asString().isIn(VERSION, "${project.version}");
        }
        assertThat(managed).containsExactlyInAnyOrder("dubbo-redis-registry", "dubbo-redis-cli", "dubbo-redis-cli:all",
                "dubbo-redis-console", "dubbo-redis-testkit");
    }

    @Test
    void cliJarRunsOnItsOwnAgainstARealRedis() throws Exception {
        Path jar = artifact("dubbo-redis-cli", "-all");

        Run version = java(jar, "--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out().lines().findFirst()).hasValue("dubbo-redis " + VERSION);
        assertThat(version.err()).as("nothing on stderr (Dubbo's logger detection is quiet)").isEmpty();

        Run completion = java(jar, "completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F _complete_dubbo-redis");

        try (RedisServer redis = RedisServer.startDefault(); RespClient raw = redis.client()) {
            raw.call("HSET", "/dubbo/com.example.Released/providers",
                    "dubbo://10.0.0.1:20880/com.example.Released?interface=com.example.Released&side=provider",
                    Long.toString(System.currentTimeMillis() + 60_000));
            Run ls = java(jar, "ls", "--json", "-a", "redis://" + redis.address());
            assertThat(ls.exit()).as(ls.err()).isZero();
            assertThat(ls.out()).contains("com.example.Released");
        }
        Run unreachable = java(jar, "ls", "-a", "redis://127.0.0.1:1");
        assertThat(unreachable.exit()).as(unreachable.err()).isEqualTo(3);
        assertThat(unreachable.err()).startsWith("dubbo-redis: ");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run java(Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli-out", ".txt");
        Path err = Files.createTempFile("cli-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("java -jar " + jar.getFileName() + " " + String.join(" ", args) + " still running after 60 s");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path artifact(String module, String classifier) {
        Path file = ROOT.resolve(module).resolve("target").resolve(module + "-" + VERSION + classifier + ".jar");
        assertThat(file).as("built by the package phase").exists();
        return file;
    }

    private static Document xml(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    /** The elements at a path of child names below {@code from} (direct children only, as in a POM). */
    private static List<Element> children(Element from, String... path) {
        List<Element> level = List.of(from);
        for (String name : path) {
            List<Element> next = new ArrayList<>();
            for (Element element : level) {
                NodeList nodes = element.getChildNodes();
                for (int i = 0; i < nodes.getLength(); i++) {
                    Node node = nodes.item(i);
                    if (node instanceof Element child && child.getTagName().equals(name)) {
                        next.add(child);
                    }
                }
            }
            level = next;
        }
        return level;
    }

    private static List<String> texts(Element from, String... path) {
        return children(from, path).stream().map(e -> e.getTextContent().trim()).collect(Collectors.toList());
    }
}

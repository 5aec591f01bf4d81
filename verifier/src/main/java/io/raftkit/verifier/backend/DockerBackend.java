package io.raftkit.verifier.backend;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * N KV servers in Docker containers on a private network, each reachable from the host on a fixed
 * {@code 127.0.0.1} port (a randomly published port would move on every restart). Faults are real:
 * {@code iptables} inside the containers cuts links (as root, with {@code NET_ADMIN}), {@code kill -9}
 * comes from outside, the same container restarts on its own data, and pause freezes its cgroup.
 */
public final class DockerBackend implements ClusterBackend {

    private final LeaderProbe probe = new LeaderProbe();
    private static final int RAFT_PORT = 7000;
    private static final int HTTP_PORT = 8080;

    private final List<String> ids = new ArrayList<>();
    private final Map<String, Integer> hostPorts = new LinkedHashMap<>();
    private final Map<String, GenericContainer<?>> containers = new LinkedHashMap<>();
    private final Set<String> paused = new HashSet<>();
    private final Path logs;
    private Network network;
    private DockerClient docker;
    private final ImageFromDockerfile image;

    /**
     * @param repo      the repository root (holds docker/Dockerfile and the built raft-kv.jar)
     * @param baseImage the Dockerfile's BASE_IMAGE (a local base where no registry is reachable)
     */
    public DockerBackend(Path repo, String baseImage, Path out, int nodes) throws IOException {
        Path jar = repo.resolve("raft-statemachine-kv/target/raft-kv.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException("the KV server jar " + jar + " does not exist; build it with ./mvnw -pl raft-statemachine-kv -am package -DskipTests");
        }
        this.logs = out.resolve("logs");
        this.image = new ImageFromDockerfile("raftkit/kv-verify", false)
                .withFileFromPath("docker/Dockerfile", repo.resolve("docker/Dockerfile"))
                .withFileFromPath("raft-statemachine-kv/target/raft-kv.jar", jar)
                .withDockerfilePath("docker/Dockerfile")
                .withBuildArg("BASE_IMAGE", baseImage);
        for (int i = 1; i <= nodes; i++) {
            String id = "n" + i;
            ids.add(id);
            hostPorts.put(id, freePort());
        }
    }

    @Override
    public List<String> nodes() {
        return List.copyOf(ids);
    }

    @Override
    public String endpoint(String node) {
        return "http://127.0.0.1:" + hostPorts.get(node);
    }

    @Override
    public void start() throws IOException, InterruptedException {
        docker = DockerClientFactory.instance().client();
        network = Network.newNetwork();
        Files.createDirectories(logs);
        // The Raft ports listen on the containers' network, which only these containers share.
        List<String> command = new ArrayList<>(List.of("--data-dir", "/var/lib/raftkit/data", "--insecure-peers"));
        for (String id : ids) {
            command.add("--peer");
            command.add(id + "=" + id + ":" + RAFT_PORT + "," + id + ":" + HTTP_PORT);
        }
        for (String id : ids) {
            List<String> args = new ArrayList<>(List.of("--id", id));
            args.addAll(command);
            int hostPort = hostPorts.get(id);
            GenericContainer<?> c = new GenericContainer<>(image)
                    .withNetwork(network)
                    .withNetworkAliases(id)
                    .withCreateContainerCmdModifier(cmd -> {
                        cmd.withHostName(id);
                        cmd.getHostConfig()
                                .withInit(true)
                                .withCapAdd(Capability.NET_ADMIN)
                                .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                                        ExposedPort.tcp(HTTP_PORT)));
                    })
                    .withCommand(args.toArray(String[]::new))
                    // Not the health check: /health is ready only once a leader exists, which needs a
                    // majority started, so waiting on it per container would deadlock a sequential start.
                    .waitingFor(Wait.forLogMessage(".*raft-kv node " + id + " ready.*", 1)
                            .withStartupTimeout(Duration.ofSeconds(180)));
            containers.put(id, c);
        }
        for (GenericContainer<?> c : containers.values()) {
            c.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (leader().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no leader within 60 s among the containers");
            }
            Thread.sleep(200);
        }
    }

    @Override
    public Optional<String> leader() {
        return probe.leader(ids.stream().filter(id -> !(paused.contains(id))).map(this::endpoint).toList());
    }

    private String containerId(String node) {
        return containers.get(node).getContainerId();
    }

    @Override
    public void kill(String node) {
        if (paused.remove(node)) {
            docker.unpauseContainerCmd(containerId(node)).exec();
        }
        docker.killContainerCmd(containerId(node)).withSignal("KILL").exec();
    }

    @Override
    public void restart(String node) {
        Boolean running = docker.inspectContainerCmd(containerId(node)).exec().getState().getRunning();
        if (!Boolean.TRUE.equals(running)) {
            docker.startContainerCmd(containerId(node)).exec(); // the same container: its data is kept
        }
    }

    @Override
    public void pause(String node) {
        if (paused.add(node)) {
            docker.pauseContainerCmd(containerId(node)).exec();
        }
    }

    @Override
    public void resume(String node) {
        if (paused.remove(node)) {
            docker.unpauseContainerCmd(containerId(node)).exec();
        }
    }

    @Override
    public void dropFrom(String node, Set<String> from) throws IOException, InterruptedException {
        if (!isRunning(node)) {
            return;
        }
        for (String peer : from) {
            String ip = ipOf(peer);
            if (ip != null) {
                // Raft messages from the peer arrive on connections it dialled to our raft port;
                // ours to it leave on connections we dialled, whose replies come from its port. So
                // dropping what the peer sends to our raft port cuts exactly peer -> us: a true
                // one-way cut (dropping all input from the peer would cut TCP both ways).
                root(node, "iptables", "-A", "INPUT", "-s", ip, "-p", "tcp", "--dport", Integer.toString(RAFT_PORT), "-j", "DROP");
            }
        }
    }

    @Override
    public void healAll() throws IOException, InterruptedException {
        for (String id : ids) {
            resume(id);
        }
        for (String id : ids) {
            if (isRunning(id)) {
                root(id, "iptables", "-F", "INPUT");
            }
        }
    }

    private boolean isRunning(String node) {
        return Boolean.TRUE.equals(docker.inspectContainerCmd(containerId(node)).exec().getState().getRunning());
    }

    private String ipOf(String node) {
        var networks = docker.inspectContainerCmd(containerId(node)).exec().getNetworkSettings().getNetworks();
        return networks.values().stream().map(n -> n.getIpAddress()).filter(ip -> ip != null && !ip.isBlank())
                .findFirst().orElse(null);
    }

    /** Runs a command as root inside the container (the server itself runs unprivileged). */
    private void root(String node, String... command) throws IOException, InterruptedException {
        ExecCreateCmdResponse exec = docker.execCreateCmd(containerId(node)).withUser("root")
                .withAttachStdout(true).withAttachStderr(true).withCmd(command).exec();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        docker.execStartCmd(exec.getId()).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
            @Override
            public void onNext(com.github.dockerjava.api.model.Frame frame) {
                output.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(20, TimeUnit.SECONDS);
        Long exit = docker.inspectExecCmd(exec.getId()).exec().getExitCodeLong();
        if (exit != null && exit != 0) {
            throw new IOException("'" + String.join(" ", command) + "' in " + node + " exited " + exit + ": " + output);
        }
    }

    @Override
    public void close() {
        for (Map.Entry<String, GenericContainer<?>> e : containers.entrySet()) {
            GenericContainer<?> c = e.getValue();
            try {
                if (c.getContainerId() != null) {
                    if (paused.contains(e.getKey())) {
                        docker.unpauseContainerCmd(c.getContainerId()).exec();
                    }
                    Files.writeString(logs.resolve(e.getKey() + ".log"), c.getLogs());
                }
            } catch (RuntimeException | IOException ignored) {
                // the container may be gone already; stopping it below is what matters
            }
            c.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

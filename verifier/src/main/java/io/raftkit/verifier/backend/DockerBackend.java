package io.raftkit.verifier.backend;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * N KV servers in Docker containers on a private network, each reachable from the host on a fixed
 * {@code 127.0.0.1} port (a randomly published port would move on every restart). Faults are real:
 * {@code iptables} inside the containers cuts links on every port (as root, with {@code NET_ADMIN})
 * and drops a share of packets with its statistic match; the nodes' {@code network-faults}
 * transport adds message duplication and delay (the kernel has no netem), driven by {@code curl}
 * on its loopback admin port; {@code kill -9} comes from outside, a crash through the
 * {@code fault-injecting} log store's crash endpoint, the same container restarts on its own data,
 * and pause freezes its cgroup.
 *
 * <p>Membership changes ({@link MembershipBackend}): a wiped slot's container is removed (its data
 * lives in the container); a node joining a slot is a new container running {@code --join}, on the
 * slot's host port, under its id as its network alias, at the slot's address when it keeps its id
 * and at an address of its own when the id is fresh (the others may still dial the removed member).
 */
public final class DockerBackend implements MembershipBackend {

    private final LeaderProbe probe = new LeaderProbe();
    private static final int RAFT_PORT = 7000;
    private static final int HTTP_PORT = 8080;
    private static final int TRANSPORT_ADMIN_PORT = 9100;
    private static final int STORE_ADMIN_PORT = 9101;

    private final List<String> ids = new ArrayList<>();
    /** Each node's fixed address on the network. */
    private final Map<String, String> ips = new LinkedHashMap<>();
    private final Map<String, Integer> hostPorts = new LinkedHashMap<>();
    private final Map<String, GenericContainer<?>> containers = new ConcurrentHashMap<>();
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    /** Slot -> the Raft id running there (the slot's name until a replacement). */
    private final Map<String, String> memberIds = new ConcurrentHashMap<>();
    private final Set<String> vacant = ConcurrentHashMap.newKeySet();
    /** Every node's flags but its id and members. */
    private final List<String> serverFlags = new ArrayList<>();
    private String subnetPrefix;
    private int freshAddresses;
    private final Path logs;
    private final NodeStorage storage;
    private Network network;
    private DockerClient docker;
    private final ImageFromDockerfile image;
    private volatile NetworkState faults = NetworkState.HEALED;

    public DockerBackend(Path repo, String baseImage, Path out, int nodes) throws IOException {
        this(repo, baseImage, out, nodes, NodeStorage.DURABLE);
    }

    /**
     * @param repo      the repository root (holds docker/Dockerfile and the built raft-kv.jar)
     * @param baseImage the Dockerfile's BASE_IMAGE (a local base where no registry is reachable)
     */
    public DockerBackend(Path repo, String baseImage, Path out, int nodes, NodeStorage storage) throws IOException {
        Path jar = repo.resolve("raft-statemachine-kv/target/raft-kv.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IOException("the KV server jar " + jar + " does not exist; build it with ./mvnw -pl raft-statemachine-kv -am package -DskipTests");
        }
        this.logs = out.resolve("logs");
        this.storage = storage;
        this.image = new ImageFromDockerfile("raftkit/kv-verify", false)
                .withFileFromPath("docker/Dockerfile", repo.resolve("docker/Dockerfile"))
                .withFileFromPath("raft-statemachine-kv/target/raft-kv.jar", jar)
                .withDockerfilePath("docker/Dockerfile")
                .withBuildArg("BASE_IMAGE", baseImage);
        List<Integer> ports = FreePorts.take(nodes);
        for (int i = 1; i <= nodes; i++) {
            String id = "n" + i;
            ids.add(id);
            hostPorts.put(id, ports.get(i - 1));
            memberIds.put(id, id);
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
        network = fixedSubnetNetwork();
        Files.createDirectories(logs);
        // The Raft ports listen on the containers' network, which only these containers share.
        serverFlags.addAll(List.of("--data-dir", "/var/lib/raftkit/data", "--insecure-peers",
                "--transport", "network-faults", "--set", "transport.inner=vertx-tcp",
                "--set", "transport.admin-port=" + TRANSPORT_ADMIN_PORT));
        serverFlags.addAll(storage.flags(STORE_ADMIN_PORT));
        List<String> peers = new ArrayList<>();
        for (String id : ids) {
            peers.add("--peer");
            peers.add(id + "=" + raftAddress(id) + "," + id + ":" + HTTP_PORT);
        }
        for (String id : ids) {
            containers.put(id, container(id, id, peers)
                    // Not the health check: /health is ready only once a leader exists, which needs a
                    // majority started, so waiting on it per container would deadlock a sequential start.
                    .waitingFor(Wait.forLogMessage(".*raft-kv node " + id + " ready.*", 1)
                            .withStartupTimeout(Duration.ofSeconds(180))));
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

    /** The container of the node {@code memberId} in {@code slot}, on the slot's address and host port. */
    private GenericContainer<?> container(String slot, String memberId, List<String> members) {
        List<String> args = new ArrayList<>(List.of("--id", memberId));
        args.addAll(serverFlags);
        args.addAll(members);
        int hostPort = hostPorts.get(slot);
        String ip = ips.get(slot);
        return new GenericContainer<>(image)
                .withNetwork(network)
                .withNetworkAliases(memberId)
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.withHostName(memberId);
                    cmd.withIpv4Address(ip);
                    cmd.getHostConfig()
                            .withInit(true)
                            .withCapAdd(Capability.NET_ADMIN)
                            .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
                                    ExposedPort.tcp(HTTP_PORT)));
                })
                .withCommand(args.toArray(String[]::new));
    }

    @Override
    public Optional<String> leader() {
        return probe.leader(ids.stream().filter(id -> !(paused.contains(id) || vacant.contains(id))).map(this::endpoint).toList())
                .flatMap(memberId -> ids.stream().filter(slot -> memberIds.get(slot).equals(memberId)).findFirst());
    }

    @Override
    public String memberId(String node) {
        return memberIds.get(node);
    }

    @Override
    public String raftAddress(String node) {
        return memberIds.get(node) + ":" + RAFT_PORT;
    }

    @Override
    public String httpUrl(String node) {
        return "http://" + memberIds.get(node) + ":" + HTTP_PORT;
    }

    @Override
    public boolean vacant(String node) {
        return vacant.contains(node);
    }

    @Override
    public boolean running(String node) {
        return isRunning(node);
    }

    @Override
    public synchronized void wipe(String node) {
        if (vacant.contains(node)) {
            return;
        }
        GenericContainer<?> c = containers.get(node);
        if (paused.remove(node)) {
            docker.unpauseContainerCmd(c.getContainerId()).exec();
        }
        saveLogs(node, c);
        vacant.add(node);
        c.stop(); // kills and removes the container, and its data with it
    }

    @Override
    public synchronized void join(String node, String memberId, String via) throws IOException, InterruptedException {
        if (!vacant.contains(node)) {
            throw new IllegalStateException("slot " + node + " is not vacant: wipe it before a node joins there");
        }
        if (!memberId.equals(memberIds.get(node))) {
            // A fresh id gets an address of its own: the others may still dial the removed member's.
            ips.put(node, subnetPrefix + (10 + ids.size() + freshAddresses++));
            memberIds.put(node, memberId);
        }
        GenericContainer<?> c = container(node, memberId, List.of("--peer", memberId + "=" + raftAddress(node) + "," + memberId + ":" + HTTP_PORT,
                "--join", httpUrl(via)))
                .waitingFor(new org.testcontainers.containers.wait.strategy.AbstractWaitStrategy() {
                    @Override
                    protected void waitUntilReady() {
                        // the nemesis watches GET /v1/members for it: a joining node is not ready until it is added
                    }
                });
        containers.put(node, c);
        vacant.remove(node);
        c.start();
        for (String other : ids) {
            if (!other.equals(node)) {
                apply(other); // their rules name the slot by its address, which may be new
            }
        }
        Thread pusher = new Thread(() -> pushWhenUp(node), "faults-to-" + node);
        pusher.setDaemon(true);
        pusher.start();
    }

    private void saveLogs(String node, GenericContainer<?> c) {
        try {
            if (c.getContainerId() != null) {
                Files.writeString(logs.resolve(memberIds.get(node) + ".log"), c.getLogs());
            }
        } catch (RuntimeException | IOException ignored) {
            // the container may be gone already
        }
    }

    /**
     * A network with a subnet of our choosing, so that each container keeps its address across
     * restarts. With addresses from the pool, containers restarted together swapped addresses, and a
     * node kept dialling a peer at its old address, now another node's (the transport refused the
     * mix-up, and that link stayed down); the iptables rules name addresses too.
     */
    private Network fixedSubnetNetwork() throws IOException {
        java.util.SplittableRandom random = new java.util.SplittableRandom(System.nanoTime());
        for (int attempt = 0; attempt < 20; attempt++) {
            String prefix = "10.213." + random.nextInt(256) + ".";
            Network candidate = Network.builder().createNetworkCmdModifier(cmd -> cmd.withIpam(
                    new com.github.dockerjava.api.model.Network.Ipam().withConfig(
                            new com.github.dockerjava.api.model.Network.Ipam.Config().withSubnet(prefix + "0/24")))).build();
            try {
                candidate.getId(); // created here
            } catch (RuntimeException overlap) {
                continue; // the subnet is taken on this engine: another
            }
            for (int i = 0; i < ids.size(); i++) {
                ips.put(ids.get(i), prefix + (10 + i));
            }
            subnetPrefix = prefix;
            return candidate;
        }
        throw new IOException("could not create a Docker network on a free 10.213.x.0/24 subnet in 20 tries");
    }

    private String containerId(String node) {
        return containers.get(node).getContainerId();
    }

    @Override
    public void kill(String node) {
        if (vacant.contains(node)) {
            return;
        }
        if (paused.remove(node)) {
            docker.unpauseContainerCmd(containerId(node)).exec();
        }
        if (isRunning(node)) {
            docker.killContainerCmd(containerId(node)).withSignal("KILL").exec();
        }
    }

    @Override
    public void crash(String node) throws IOException, InterruptedException {
        if (vacant.contains(node)) {
            return;
        }
        if (paused.remove(node)) {
            docker.unpauseContainerCmd(containerId(node)).exec();
        }
        if (!isRunning(node)) {
            return;
        }
        try {
            exec(node, "raftkit", "curl", "-s", "-m", "5", "-X", "POST", "http://127.0.0.1:" + STORE_ADMIN_PORT + "/crash");
        } catch (IOException | RuntimeException e) {
            // the process ends while curl waits for its answer, taking the container with it
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (isRunning(node) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (isRunning(node)) {
            docker.killContainerCmd(containerId(node)).withSignal("KILL").exec(); // the node's log tells why
        }
    }

    @Override
    public void restart(String node) throws IOException, InterruptedException {
        if (!isRunning(node)) {
            docker.startContainerCmd(containerId(node)).exec(); // the same container: its data is kept
            // A started container has a new network namespace, with none of the faults (its address
            // is fixed): give it its part once its transport listens.
            Thread pusher = new Thread(() -> pushWhenUp(node), "faults-to-" + node);
            pusher.setDaemon(true);
            pusher.start();
        }
    }

    @Override
    public void pause(String node) {
        if (isRunning(node) && paused.add(node)) {
            docker.pauseContainerCmd(containerId(node)).exec();
        }
    }

    @Override
    public void resume(String node) throws IOException, InterruptedException {
        if (paused.remove(node)) {
            docker.unpauseContainerCmd(containerId(node)).exec();
            apply(node);
        }
    }

    @Override
    public synchronized void network(NetworkState state) throws IOException, InterruptedException {
        faults = state;
        for (String id : ids) {
            apply(id);
        }
    }

    private void pushWhenUp(String node) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && isRunning(node)) {
            try {
                exec(node, "raftkit", "curl", "-sf", "-m", "2", "http://127.0.0.1:" + TRANSPORT_ADMIN_PORT + "/faults");
                apply(node);
                return;
            } catch (IOException | RuntimeException e) {
                // not listening yet
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Sets {@code node}'s part of the current faults, in one exec: iptables first (cuts and loss, on
     * every port: Raft and HTTP forwarding alike), then the transport's duplication and delay.
     */
    private synchronized void apply(String node) throws IOException, InterruptedException {
        if (!isRunning(node) || paused.contains(node)) {
            return; // restart() and resume() set it when it is back
        }
        NetworkState state = faults;
        StringBuilder script = new StringBuilder("iptables -F INPUT");
        for (String peer : state.cutFrom(node)) {
            rule(script, ips.get(peer), "-j DROP");
        }
        for (String peer : state.oneWayFrom(node)) {
            // What the peer sends to our listening ports: its own connections to us (Raft, forwarded
            // requests) die, ours to it still work. A true one-way cut.
            rule(script, ips.get(peer), "-p tcp -m multiport --dports " + RAFT_PORT + "," + HTTP_PORT + " -j DROP");
        }
        PacketFaults packets = state.packets();
        if (packets.lossPercent() > 0) {
            for (String peer : ids) {
                if (!peer.equals(node)) {
                    rule(script, ips.get(peer), String.format(Locale.ROOT, "-m statistic --mode random --probability %.3f -j DROP",
                            packets.lossPercent() / 100.0));
                }
            }
        }
        // Loss is the kernel's job here (real packets, every port); duplication and delay the transport's.
        PacketFaults transport = new PacketFaults(0, packets.duplicatePercent(), packets.delayMillis(), packets.jitterMillis());
        script.append(" && (curl -sf -m 2 -X PUT 'http://127.0.0.1:").append(TRANSPORT_ADMIN_PORT).append("/faults?")
                .append(transport.query()).append("' >/dev/null || echo 'transport admin not listening yet' >&2)");
        exec(node, "root", "sh", "-c", script.toString());
    }

    private static void rule(StringBuilder script, String ip, String match) {
        if (ip != null) {
            script.append(" && iptables -A INPUT -s ").append(ip).append(' ').append(match);
        }
    }

    private boolean isRunning(String node) {
        if (vacant.contains(node)) {
            return false;
        }
        return Boolean.TRUE.equals(docker.inspectContainerCmd(containerId(node)).exec().getState().getRunning());
    }

    /** Runs a command inside the container as {@code user} (root for iptables: the server runs unprivileged). */
    private void exec(String node, String user, String... command) throws IOException, InterruptedException {
        ExecCreateCmdResponse exec = docker.execCreateCmd(containerId(node)).withUser(user)
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
            if (vacant.contains(e.getKey())) {
                continue; // removed when it was wiped, its log saved then
            }
            try {
                if (c.getContainerId() != null && paused.contains(e.getKey())) {
                    docker.unpauseContainerCmd(c.getContainerId()).exec();
                }
            } catch (RuntimeException ignored) {
                // the container may be gone already; stopping it below is what matters
            }
            saveLogs(e.getKey(), c);
            c.stop();
        }
        if (network != null) {
            network.close();
        }
    }
}

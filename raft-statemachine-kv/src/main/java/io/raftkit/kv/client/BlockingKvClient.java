package io.raftkit.kv.client;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@link KvClient}'s operations as blocking calls. Each returns the answer when the request took
 * effect (or was read), and throws {@link KvClientException} otherwise, with the outcome: a refusal
 * (400, 409, 507 ...) is {@link Outcome#NOT_APPLIED} or {@link Outcome#UNKNOWN} as the cluster says,
 * and a request that got no final answer is as {@link KvClient} describes. An absent key is not an
 * error: {@link #get} answers with {@link KvResponse#found()} false, {@link #delete} too, and a
 * compare-and-set that did not hold answers with {@link KvResponse#succeeded()} false.
 */
public final class BlockingKvClient {

    private final KvClient client;

    BlockingKvClient(KvClient client) {
        this.client = client;
    }

    public KvResponse put(String key, String value) {
        return await(client.put(key, value), false);
    }

    public KvResponse put(String key, byte[] value) {
        return await(client.put(key, value), false);
    }

    public KvResponse delete(String key) {
        return await(client.delete(key), true);
    }

    public KvResponse cas(String key, Optional<String> expected, String value) {
        return await(client.cas(key, expected, value), false);
    }

    public KvResponse casBytes(String key, Optional<byte[]> expected, byte[] value) {
        return await(client.casBytes(key, expected, value), false);
    }

    public KvResponse get(String key) {
        return await(client.get(key), true);
    }

    public KvResponse getStale(String key) {
        return await(client.getStale(key), true);
    }

    private static KvResponse await(CompletableFuture<KvResponse> future, boolean absentIsAnAnswer) {
        KvResponse response;
        try {
            response = future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KvClientException k) {
                // A new exception, so its stack shows the caller's frames as well as the cause's.
                throw new KvClientException(k.getMessage(), k.outcome(), k.status(), k.error().orElse(null), k);
            }
            throw new KvClientException("the request failed: " + e.getCause(), Outcome.UNKNOWN, 0, null, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvClientException("interrupted while waiting for the answer; the request may still be applied",
                    Outcome.UNKNOWN, 0, null, e);
        }
        if (response.ok() || (absentIsAnAnswer && response.status() == 404)) {
            return response;
        }
        throw new KvClientException("the cluster refused the request: " + response, response.outcome(), response.status(),
                response.body().getString("error"), null);
    }
}

package io.raftkit.verifier.junit;

import io.raftkit.verifier.verification.Verification;
import io.raftkit.verifier.verification.VerificationOptions;
import io.raftkit.verifier.verification.VerificationResult;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Runs a {@link Verify} test: hands the method a {@link Verification} built from the annotation,
 * lets the method fill it in, then runs it and fails the test unless it passed.
 */
public final class VerifyExtension implements ParameterResolver, InvocationInterceptor {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VerifyExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Verification.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        Verify verify = method.getAnnotation(Verify.class);
        if (verify == null) {
            throw new ParameterResolutionException("a Verification parameter needs the method annotated @Verify: " + method);
        }
        Path report = Path.of("target", "verify", context.getRequiredTestClass().getSimpleName(), method.getName());
        long seconds = Long.getLong("raftkit.verify.seconds", verify.seconds());
        long seed = Long.getLong("raftkit.verify.seed", verify.seed());
        VerificationOptions options = new VerificationOptions(verify.nodes(), Duration.ofSeconds(seconds), List.of(verify.nemesis()),
                seed, verify.concurrency(), verify.opsPerSecond(), Duration.ofMillis(verify.faultMillis()), Duration.ofMillis(verify.requestTimeoutMillis()),
                Duration.ofSeconds(20), report);
        Verification verification = new Verification(options);
        if (verify.durableStores()) {
            verification.durableStores();
        }
        context.getStore(NAMESPACE).put(context.getUniqueId(), verification);
        return verification;
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext context) throws Throwable {
        invocation.proceed();
        Verification verification = context.getStore(NAMESPACE).get(context.getUniqueId(), Verification.class);
        if (verification == null) {
            throw new AssertionError("a @Verify method takes a Verification parameter and gives it a state machine, a client"
                    + " and a workload: " + invocationContext.getExecutable());
        }
        VerificationResult result = verification.run();
        System.out.println("[verify] " + context.getDisplayName() + ": " + result.message());
        if (!result.passed()) {
            throw new AssertionError(result.message());
        }
    }
}

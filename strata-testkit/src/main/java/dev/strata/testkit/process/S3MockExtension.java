package dev.strata.testkit.process;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands test classes one {@link S3Mock} for the whole test run: started by the first class that
 * asks, kept in JUnit's root store, which closes it (stops the process) when the run ends, whether
 * the tests passed or not. Starting S3Mock costs 10 to 30 s here, so classes share it and keep
 * apart by key prefix.
 */
public final class S3MockExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(S3MockExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == S3Mock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return s3Mock(context);
    }

    /** The run's server, started now if no test asked for it before. */
    public static S3Mock s3Mock(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(S3Mock.class, type -> {
            try {
                return S3Mock.start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the S3 test server: " + e.getMessage(), e);
            }
        }, S3Mock.class);
    }
}

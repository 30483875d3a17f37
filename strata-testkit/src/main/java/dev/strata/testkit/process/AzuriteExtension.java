package dev.strata.testkit.process;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Azurite for the whole test run, started by the first test class that asks for it and stopped
 * when JUnit closes its root store (after the last test, whether tests failed or not). Test
 * methods and constructors receive it as a parameter of type {@link Azurite}.
 */
public final class AzuriteExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AzuriteExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        azurite(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Azurite.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return azurite(context);
    }

    public static Azurite azurite(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(Azurite.class, type -> {
            try {
                return Azurite.start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start Azurite: " + e.getMessage(), e);
            }
        }, Azurite.class);
    }
}

package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.github.distlock.api.InvalidLockConfigurationException;
import io.github.distlock.api.LockOptions;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.KotlinDetector;
import org.springframework.core.MethodParameter;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.util.StringValueResolver;

/**
 * One {@link DistributedLock} method, parsed and checked once at startup: everything the interceptor needs per call
 * without parsing anything again.
 */
final class LockOperation {

    private static final SpelExpressionParser PARSER = new SpelExpressionParser(
            new SpelParserConfiguration(SpelCompilerMode.MIXED, LockOperation.class.getClassLoader()));
    private static final Pattern BARE_NUMBER = Pattern.compile("\\d+");
    private static final DefaultParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

    final Method method;
    final String description;
    /** Store (empty for the default), lease (null for {@code distributed-lock.default-expire}) and wait time. */
    final LockOptions options;
    final OnFailure onFailure;
    /** Whether the lock spans the call, a returned future, or a returned publisher. */
    final ReturnKind returnKind;
    private final String constantKey;
    private final Expression keyExpression;
    private final String[] parameterNames;
    /** p0, a0, p1, a1, ... made once. */
    private final String[] positionalNames;
    private final Supplier<Object> skipResult;

    private LockOperation(Method method, String description, LockOptions options, OnFailure onFailure,
            String constantKey, Expression keyExpression, String[] parameterNames, Supplier<Object> skipResult) {
        this.method = method;
        this.description = description;
        this.options = options;
        this.onFailure = onFailure;
        this.returnKind = ReturnKind.of(method, description);
        this.constantKey = constantKey;
        this.keyExpression = keyExpression;
        this.parameterNames = parameterNames;
        this.positionalNames = new String[2 * method.getParameterCount()];
        for (int i = 0; i < method.getParameterCount(); i++) {
            positionalNames[2 * i] = "p" + i;
            positionalNames[2 * i + 1] = "a" + i;
        }
        this.skipResult = skipResult;
    }

    /**
     * Parses the annotation of {@code method}.
     *
     * @throws InvalidLockConfigurationException naming the class, method and attribute at fault
     */
    static LockOperation parse(Method method, DistributedLock annotation, StringValueResolver placeholders) {
        String description = "@DistributedLock on " + method.getDeclaringClass().getName() + "." + method.getName()
                + "(" + parameterTypes(method) + ")";

        String expireText = resolve(placeholders, annotation.expire(), description, "expire");
        Duration expire = null;
        if (!expireText.isEmpty()) {
            expire = parseDuration(description, "expire", expireText);
            try {
                LockOptions.expireSeconds(expire);
            } catch (IllegalArgumentException e) {
                throw invalid(description, "expire", "'" + expireText + "' " + e.getMessage(),
                        "Use e.g. expire = \"30s\".");
            }
        }

        String waitText = resolve(placeholders, annotation.waitTime(), description, "waitTime");
        Duration wait = waitText.isEmpty() ? Duration.ZERO : parseDuration(description, "waitTime", waitText);
        try {
            LockOptions.checkWaitTime(wait);
        } catch (IllegalArgumentException e) {
            throw invalid(description, "waitTime", "'" + waitText + "' " + e.getMessage(),
                    "Use e.g. waitTime = \"5s\".");
        }
        String holdText = resolve(placeholders, annotation.holdAtLeast(), description, "holdAtLeast");
        Duration holdAtLeast = holdText.isEmpty() ? Duration.ZERO
                : parseDuration(description, "holdAtLeast", holdText);
        try {
            LockOptions.checkHoldAtLeast(holdAtLeast, expire == null ? Integer.MAX_VALUE
                    : LockOptions.expireSeconds(expire));
        } catch (IllegalArgumentException e) {
            throw invalid(description, "holdAtLeast", "'" + holdText + "' " + e.getMessage(),
                    "Use a holdAtLeast up to expire, e.g. holdAtLeast = \"1s\" with expire = \"30s\".");
        }
        LockOptions options = LockOptions.builder().store(resolve(placeholders, annotation.store(), description,
                "store")).expire(expire).waitTime(wait).renewal(annotation.renewal())
                .reentrant(annotation.reentrant()).onLockLost(annotation.onLockLost()).holdAtLeast(holdAtLeast)
                .build();

        Supplier<Object> skipResult = skipResult(method, annotation.onFailure(), description);

        String[] parameterNames = PARAMETER_NAMES.getParameterNames(method);
        String keyText = annotation.key();
        String constantKey = null;
        Expression keyExpression = null;
        if (keyText.isBlank()) {
            constantKey = method.getDeclaringClass().getName() + "." + method.getName();
        } else {
            try {
                keyExpression = PARSER.parseExpression(keyText);
            } catch (ParseException e) {
                throw invalid(description, "key", "'" + keyText + "' is not a valid SpEL expression: "
                        + e.getSimpleMessage(), "Fix the expression, e.g. key = \"'order:' + #orderId\".");
            }
            checkVariables(description, keyText, keyExpression, method, parameterNames);
            LockKeyValues.checkDeclaredTypes(description, keyExpression, method, parameterNames);
        }
        return new LockOperation(method, description, options, annotation.onFailure(), constantKey, keyExpression,
                parameterNames, skipResult);
    }

    /** The resource id of one call. */
    String resourceId(Object target, Object[] args, EvaluationContextFactory contexts) {
        if (constantKey != null) {
            return constantKey;
        }
        StandardEvaluationContext context = contexts.create(new LockKeyRoot(method, args, target));
        for (int i = 0; i < args.length; i++) {
            // Shorter than args for a Kotlin suspend function: Kotlin reflection leaves out the Continuation.
            if (parameterNames != null && i < parameterNames.length) {
                context.setVariable(parameterNames[i], args[i]);
            }
            context.setVariable(positionalNames[2 * i], args[i]);
            context.setVariable(positionalNames[2 * i + 1], args[i]);
        }
        return LockKeyValues.resourceId(keyExpression, context, description);
    }

    /**
     * Checks {@code holdAtLeast} against the lease of a method without {@code expire}, known once the template is.
     *
     * @throws InvalidLockConfigurationException naming the attribute
     */
    void checkHoldAtLeast(int defaultExpireSeconds) {
        if (options.expire() != null) {
            return; // checked when parsed
        }
        try {
            LockOptions.checkHoldAtLeast(options.holdAtLeast(), defaultExpireSeconds);
        } catch (IllegalArgumentException e) {
            throw invalid(description, "holdAtLeast", "'" + options.holdAtLeast() + "' " + e.getMessage()
                    + " The lease is distributed-lock.default-expire here.",
                    "Set expire on the annotation, or a holdAtLeast up to the default lease.");
        }
    }

    /** What the method returns when {@link OnFailure#SKIP} skips it. */
    Supplier<Object> skipResult() {
        return skipResult;
    }

    /** Makes the evaluation context of one call; supplied by the interceptor, which knows the bean factory. */
    interface EvaluationContextFactory {
        StandardEvaluationContext create(LockKeyRoot root);
    }

    private static void checkVariables(String description, String keyText, Expression expression, Method method,
            String[] parameterNames) {
        Set<String> known = new LinkedHashSet<>();
        if (parameterNames != null) {
            known.addAll(List.of(parameterNames));
        }
        for (int i = 0; i < method.getParameterCount(); i++) {
            known.add("p" + i);
            known.add("a" + i);
        }
        List<String> used = new ArrayList<>();
        collectVariables(((SpelExpression) expression).getAST(), used);
        for (String variable : used) {
            if (!known.contains(variable) && !variable.equals("root") && !variable.equals("this")) {
                String hint = parameterNames == null && method.getParameterCount() > 0
                        ? "Parameter names are not available (compile with -parameters) so use #p0, #p1, ..."
                        : "Use one of " + known.stream().map(name -> "#" + name).toList() + ".";
                throw invalid(description, "key", "'" + keyText + "' refers to #" + variable
                        + ", which is not a parameter of the method.", hint);
            }
        }
    }

    private static void collectVariables(SpelNode node, List<String> into) {
        if (node instanceof VariableReference) {
            into.add(node.toStringAST().substring(1));
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            collectVariables(node.getChild(i), into);
        }
    }

    private static Supplier<Object> skipResult(Method method, OnFailure onFailure, String description) {
        Class<?> type = method.getReturnType();
        if (onFailure != OnFailure.SKIP) {
            return () -> null;
        }
        if (type.isPrimitive() && type != void.class) {
            throw invalid(description, "onFailure", "SKIP cannot return a value of primitive type " + type.getName()
                    + " when the method is skipped.", "Return a wrapper or Optional type, or use OnFailure.THROW.");
        }
        if (KotlinDetector.isSuspendingFunction(method) && KotlinDetector.isKotlinReflectPresent()) {
            // A skipped suspend function returns null to its Kotlin caller, which a non-null type would not expect.
            MethodParameter returned = new MethodParameter(method, -1);
            Class<?> kotlinType = returned.getParameterType();
            if (kotlinType != void.class && !"kotlin.Unit".equals(kotlinType.getName()) && !returned.isOptional()) {
                throw invalid(description, "onFailure", "SKIP returns null when the function is skipped, and its "
                        + "return type " + kotlinType.getSimpleName() + " is not nullable.",
                        "Declare the return type nullable (" + kotlinType.getSimpleName()
                                + "?), or use OnFailure.THROW.");
            }
        }
        if (type == Optional.class) {
            return Optional::empty;
        }
        if (type == OptionalInt.class) {
            return OptionalInt::empty;
        }
        if (type == OptionalLong.class) {
            return OptionalLong::empty;
        }
        if (type == OptionalDouble.class) {
            return OptionalDouble::empty;
        }
        return () -> null;
    }

    private static Duration parseDuration(String description, String attribute, String text) {
        try {
            return BARE_NUMBER.matcher(text).matches() ? Duration.ofSeconds(Long.parseLong(text))
                    : DurationStyle.detectAndParse(text);
        } catch (RuntimeException e) {
            // A lease is whole seconds, so its examples are too.
            throw invalid(description, attribute, "'" + text + "' is not a duration.", attribute.equals("expire")
                    ? "Use whole seconds, e.g. \"30s\", \"2m\", \"PT30S\" or \"30\"."
                    : "Use e.g. \"10s\", \"500ms\", \"2m\" or \"PT10S\".");
        }
    }

    private static String resolve(StringValueResolver placeholders, String value, String description,
            String attribute) {
        String resolved;
        try {
            resolved = placeholders == null ? value : placeholders.resolveStringValue(value);
        } catch (IllegalArgumentException e) {
            throw invalid(description, attribute, "'" + value + "' cannot be resolved: " + e.getMessage() + ".",
                    "Define the property, or give the placeholder a default, e.g. \"${orders.lock-expire:30s}\".");
        }
        return resolved == null ? "" : resolved.trim();
    }

    private static InvalidLockConfigurationException invalid(String description, String attribute, String problem,
            String action) {
        return new InvalidLockConfigurationException(description + " attribute '" + attribute + "'", problem, action);
    }

    private static String parameterTypes(Method method) {
        StringBuilder types = new StringBuilder();
        for (Class<?> type : method.getParameterTypes()) {
            types.append(types.isEmpty() ? "" : ", ").append(type.getSimpleName());
        }
        return types.toString();
    }

}

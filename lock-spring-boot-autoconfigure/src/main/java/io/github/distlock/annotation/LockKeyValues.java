package io.github.distlock.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.distlock.api.InvalidLockConfigurationException;

import org.springframework.core.ResolvableType;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.expression.Expression;
import org.springframework.expression.TypeConverter;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.OpPlus;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.expression.spel.support.StandardTypeConverter;
import org.springframework.util.ObjectUtils;

/**
 * How a {@link DistributedLock#key()} value becomes a resource id. One rule, for the expression's result and for
 * every value SpEL turns into text inside it ({@code 'order:' + #ids}):
 * <ul>
 * <li>a {@code String} is used as it is;</li>
 * <li>an array (also of primitives) or a {@code Collection}: its elements by this rule, joined with {@code ,}
 * ({@code null} elements as {@code null}), as Spring's {@code DefaultConversionService} joins them;</li>
 * <li>any other value: {@code DefaultConversionService} when it converts the type (an enum gives its name), else
 * {@code toString()};</li>
 * <li>a value whose class keeps {@code Object.toString()} (an identity hash, different for every object, so every
 * call would lock a key of its own) is refused, at the first call, or at startup when the declared type of the
 * parameter says so.</li>
 * </ul>
 * A key that evaluates to {@code null} or to blank text is refused. Every refusal names the method and expression.
 */
final class LockKeyValues implements TypeConverter {

    private static final LockKeyValues CONVERTER = new LockKeyValues();
    private static final ConversionService CONVERSIONS = DefaultConversionService.getSharedInstance();
    private static final TypeConverter STANDARD = new StandardTypeConverter(CONVERSIONS);
    private static final TypeDescriptor STRING = TypeDescriptor.valueOf(String.class);
    private static final Pattern POSITIONAL = Pattern.compile("[pa](\\d+)");
    private static final ClassValue<Boolean> IDENTITY_STRING = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("toString").getDeclaringClass() == Object.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };

    private LockKeyValues() {
    }

    /**
     * Evaluates a key expression for one call.
     *
     * @param description the method, as in startup errors
     * @throws IllegalArgumentException naming the method and expression, if the expression fails, gives
     *                                  {@code null} or blank text, or a value with an identity string
     */
    static String resourceId(Expression key, StandardEvaluationContext context, String description) {
        context.setTypeConverter(CONVERTER);
        String resourceId;
        try {
            Object value = key.getValue(context);
            // Fast path: most keys are text already.
            resourceId = value == null ? null : value instanceof String text ? text : text(value);
        } catch (RuntimeException e) {
            IdentityString identity = e instanceof IdentityString direct ? direct
                    : e.getCause() instanceof IdentityString wrapped ? wrapped : null;
            throw refused(description, key, identity != null ? identity.getMessage()
                    : "it could not be evaluated: " + e, e);
        }
        if (resourceId == null) {
            throw refused(description, key, "it evaluated to null.", null);
        }
        if (resourceId.isBlank()) {
            throw refused(description, key, "it evaluated to blank text ('" + resourceId
                    + "'); an empty array or collection gives ''.", null);
        }
        return resourceId;
    }

    /** The text of a non-null value, by the rule above. */
    private static String text(Object value) {
        if (value instanceof String string) {
            return string;
        }
        if (value instanceof Collection<?> || value.getClass().isArray()) {
            Iterable<?> elements = value instanceof Collection<?> collection ? collection
                    : value instanceof Object[] objects ? Arrays.asList(objects)
                    : Arrays.asList(ObjectUtils.toObjectArray(value));
            StringJoiner joined = new StringJoiner(",");
            for (Object element : elements) {
                joined.add(element == null ? "null" : text(element));
            }
            return joined.toString();
        }
        if (IDENTITY_STRING.get(value.getClass())) {
            throw new IdentityString(value.getClass());
        }
        TypeDescriptor type = TypeDescriptor.forObject(value);
        return CONVERSIONS.canConvert(type, STRING) ? (String) CONVERSIONS.convert(value, type, STRING)
                : value.toString();
    }

    /**
     * At startup: refuses a key whose value is a parameter that surely gives an identity string, used alone or
     * concatenated ({@code #order}, {@code 'order:' + #order}), judged by the parameter's declared type.
     *
     * @throws InvalidLockConfigurationException naming the method, expression, parameter and type
     */
    static void checkDeclaredTypes(String description, Expression key, Method method, String[] parameterNames) {
        checkDeclaredTypes(description, key, method, parameterNames, ((SpelExpression) key).getAST(), true);
    }

    private static void checkDeclaredTypes(String description, Expression key, Method method,
            String[] parameterNames, SpelNode node, boolean becomesText) {
        if (becomesText && node instanceof VariableReference) {
            String name = node.toStringAST().substring(1);
            int index = parameterIndex(name, method, parameterNames);
            if (index >= 0) {
                Class<?> identity = identityElementType(ResolvableType.forMethodParameter(method, index));
                if (identity != null) {
                    throw new InvalidLockConfigurationException(description + " attribute 'key' = \""
                            + key.getExpressionString() + "\"", "#" + name + " is declared as "
                            + ResolvableType.forMethodParameter(method, index) + ", and " + identity.getName()
                            + " has no toString() of its own: Object.toString() is an identity hash, different for "
                            + "every object, so every call would lock a key of its own.",
                            "Use a property that identifies the resource, e.g. #" + name + ".id, or give "
                                    + identity.getSimpleName() + " a toString() of its identifying fields (if only "
                                    + "subclasses with their own toString() are ever passed, write #" + name
                                    + ".toString()).");
                }
            }
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            checkDeclaredTypes(description, key, method, parameterNames, node.getChild(i), node instanceof OpPlus);
        }
    }

    private static int parameterIndex(String name, Method method, String[] parameterNames) {
        if (parameterNames != null) {
            int index = List.of(parameterNames).indexOf(name);
            if (index >= 0) {
                return index;
            }
        }
        Matcher positional = POSITIONAL.matcher(name);
        if (positional.matches() && positional.group(1).length() < 4) {
            int index = Integer.parseInt(positional.group(1));
            return index < method.getParameterCount() ? index : -1;
        }
        return -1;
    }

    /**
     * The class that surely turns values of {@code type} (or its elements) into identity strings; {@code null} when
     * unknown: an interface, an abstract class or {@code Object} may hold a value with its own toString().
     */
    private static Class<?> identityElementType(ResolvableType type) {
        Class<?> raw = type.resolve();
        if (raw == null || raw.isPrimitive() || raw.isInterface() && !Collection.class.isAssignableFrom(raw)) {
            return null;
        }
        if (raw.isArray()) {
            return identityElementType(type.getComponentType());
        }
        if (Collection.class.isAssignableFrom(raw)) {
            return identityElementType(type.asCollection().getGeneric(0));
        }
        boolean concrete = raw != Object.class && !Modifier.isAbstract(raw.getModifiers());
        return concrete && IDENTITY_STRING.get(raw) ? raw : null;
    }

    private static IllegalArgumentException refused(String description, Expression key, String problem,
            Exception cause) {
        return new IllegalArgumentException(description + " attribute 'key' = \"" + key.getExpressionString() + "\": "
                + problem, cause);
    }

    @Override
    public boolean canConvert(TypeDescriptor sourceType, TypeDescriptor targetType) {
        // Every value can become text, by the rule; otherwise SpEL would fall back to toString() on its own.
        return targetType.getType() == String.class || STANDARD.canConvert(sourceType, targetType);
    }

    @Override
    public Object convertValue(Object value, TypeDescriptor sourceType, TypeDescriptor targetType) {
        return value != null && targetType.getType() == String.class ? text(value)
                : STANDARD.convertValue(value, sourceType, targetType);
    }

    /** Thrown inside SpEL's evaluation, which knows nothing of the method; {@link #resourceId} names it. */
    private static final class IdentityString extends IllegalArgumentException {
        IdentityString(Class<?> type) {
            super("it gave a value of class " + type.getName() + ", which has no toString() of its own: "
                    + "Object.toString() is an identity hash, different for every object, so every call would lock a "
                    + "key of its own. Use a property that identifies the resource (e.g. #order.id), or give the "
                    + "class a toString() of its identifying fields.");
        }
    }
}

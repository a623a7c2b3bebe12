package io.saliencystream.serde;

import org.apache.avro.generic.GenericFixed;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Makes Avro 1.12 trust the project's generated schema classes, and nothing else.
 *
 * <p>Avro 1.12.2 checks every class it loads by name while reading or writing specific records
 * ({@code org.apache.avro.util.ClassUtils.forName} calls {@link ClassSecurityValidator#validate}),
 * and by default trusts only a handful of {@code java.lang} / {@code java.math} classes plus what the
 * system properties {@code org.apache.avro.SERIALIZABLE_PACKAGES} and
 * {@code org.apache.avro.SERIALIZABLE_CLASSES} name. Those properties are read once, when the
 * validator class initialises, so setting them from code is unreliable; instead this class widens
 * the validator's global predicate with exactly the generated records, enums and fixeds of
 * package {@value #TRUSTED_PACKAGE} (not its sub-packages, not other classes in it).
 * Whatever the JVM already trusted stays trusted.
 *
 * <p>{@link AvroSerializer} and {@link AvroDeserializer} install it when they load, so every
 * serde the project builds goes through here; code that reads specific records with Avro
 * directly should call {@link #install()} first.
 */
public final class AvroTrust {

    /** The package avro-maven-plugin generates the project's schema classes into. */
    public static final String TRUSTED_PACKAGE = "io.saliencystream.schema";

    private static boolean installed;

    private AvroTrust() {
    }

    /** Adds the project's schema classes to Avro's trusted classes; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, AvroTrust::isProjectSchemaClass));
        installed = true;
    }

    /** True for a generated record, enum or fixed class directly in {@value #TRUSTED_PACKAGE}. */
    public static boolean isProjectSchemaClass(Class<?> type) {
        boolean generatedKind = SpecificRecord.class.isAssignableFrom(type)
                || type.isEnum()
                || GenericFixed.class.isAssignableFrom(type);
        return generatedKind && TRUSTED_PACKAGE.equals(type.getPackageName());
    }
}

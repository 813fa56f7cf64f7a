package io.github.distlock.store.layotto;

import io.github.distlock.spi.LockStoreFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The layotto lock store type (locks held by a Lock API sidecar), when gRPC's client classes are on the classpath.
 * Health: an entry of the {@code distributedLock} component, through the factory's {@code describe} and
 * {@code checkConnection}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "distributed-lock.enabled", matchIfMissing = true)
public class LayottoLockStoreAutoConfiguration {

    /** What the generated client stubs need: grpc-api, grpc-stub and grpc-protobuf. */
    static final String GRPC_CHANNEL = "io.grpc.ManagedChannel";
    static final String GRPC_STUB = "io.grpc.stub.AbstractBlockingStub";
    static final String GRPC_PROTOBUF = "io.grpc.protobuf.ProtoUtils";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {GRPC_CHANNEL, GRPC_STUB, GRPC_PROTOBUF})
    static class LayottoStoreTypeConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "layottoLockStoreFactory")
        LayottoLockStoreFactory layottoLockStoreFactory(ObjectProvider<SslBundles> sslBundles) {
            return new LayottoLockStoreFactory(sslBundles);
        }
    }

    /** Without gRPC (any of its three parts), a store of type layotto says what to add. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(AnyGrpcClassMissing.class)
    static class MissingClientConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "layottoLockStoreFactory")
        LockStoreFactory<Void> layottoLockStoreFactory() {
            return LockStoreFactory.unavailable(LayottoLockStoreFactory.TYPE,
                    "org.springframework.grpc:spring-grpc-client-spring-boot-starter (or io.grpc:grpc-netty, "
                            + "io.grpc:grpc-protobuf and io.grpc:grpc-stub; versions from the spring-grpc-dependencies "
                            + "BOM)");
        }
    }

    static final class AnyGrpcClassMissing extends AnyNestedCondition {

        AnyGrpcClassMissing() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnMissingClass(GRPC_CHANNEL)
        static final class ChannelMissing {
        }

        @ConditionalOnMissingClass(GRPC_STUB)
        static final class StubMissing {
        }

        @ConditionalOnMissingClass(GRPC_PROTOBUF)
        static final class ProtobufMissing {
        }
    }
}

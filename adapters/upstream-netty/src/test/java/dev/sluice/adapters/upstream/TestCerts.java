package dev.sluice.adapters.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Self-signed certificates made at test time with the running JDK's keytool. */
final class TestCerts {
    static final String PASSWORD = "changeit";

    private TestCerts() {
    }

    /** Generates a PKCS12 key store holding one self-signed EC key pair with the given subject alternative names. */
    static Path keyStore(Path dir, String alias, String commonName, String san) throws IOException, InterruptedException {
        Path file = dir.resolve(alias + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair",
                "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=" + commonName, "-ext", "SAN=" + san, "-validity", "2",
                "-keystore", file.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return file;
    }

    static KeyStore load(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    /** A PKCS12 trust store holding the certificates (not the keys) of the given key stores. */
    static Path trustStore(Path dir, Path... keyStores) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, PASSWORD.toCharArray());
        for (Path ks : keyStores) {
            KeyStore store = load(ks);
            String alias = store.aliases().nextElement();
            Certificate cert = store.getCertificate(alias);
            trust.setCertificateEntry(alias, cert);
        }
        Path file = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, PASSWORD.toCharArray());
        }
        return file;
    }
}

package dopt.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 60 000 / 10 000 grey 28×28 images of 10 kinds of
 * clothing, in MNIST's IDX format, from Debian's {@code dataset-fashion-mnist}.
 */
public final class FashionMnist {
    private FashionMnist() { }

    public static final Path DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    public static Dataset[] load() throws IOException {
        return Mnist.fromIdxFiles(DIRECTORY, ".gz", "fashion-mnist",
                "install it with `./dopt setup --data fashion-mnist` (Debian package dataset-fashion-mnist)");
    }
}

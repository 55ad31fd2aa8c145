package dopt.data;

import java.io.IOException;

/** A data file that a package provides is not installed; the message names the install command. */
public final class MissingDataException extends IOException {
    public MissingDataException(String message) { super(message); }
}

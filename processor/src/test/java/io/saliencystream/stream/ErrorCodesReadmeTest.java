package io.saliencystream.stream;

import io.saliencystream.engine.input.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's dead-letter table lists exactly the codes the processor can write, each once, and
 * {@link ErrorCodes} names every code the engine raises.
 */
class ErrorCodesReadmeTest {

    private static final Pattern CODE = Pattern.compile("`([a-z][a-z-]*)`");

    static List<String> constants(Class<?> type) throws IllegalAccessException {
        List<String> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && Modifier.isPublic(f.getModifiers()) && f.getType() == String.class) {
                out.add((String) f.get(null));
            }
        }
        return out;
    }

    /** The codes in the second column of the table under "### Dead letters", in order, repeats kept. */
    static List<String> readmeCodes() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("### Dead letters");
        assertThat(section).as("README has a Dead letters section").isNotNegative();
        List<String> codes = new ArrayList<>();
        boolean inTable = false;
        for (String line : readme.substring(section).split("\n")) {
            if (line.startsWith("|")) {
                inTable = true;
                String[] cells = line.split("\\|");
                if (cells.length > 2 && !cells[1].isBlank() && !cells[1].trim().equals("stage") && !cells[1].startsWith("---")) {
                    Matcher m = CODE.matcher(cells[2]);
                    while (m.find()) {
                        codes.add(m.group(1));
                    }
                }
            } else if (inTable) {
                break;
            }
        }
        return codes;
    }

    @Test
    void readmeTableListsEveryCodeOnceAndNoOther() throws Exception {
        List<String> defined = constants(ErrorCodes.class);
        List<String> listed = readmeCodes();
        assertThat(listed).as("codes in the README's dead-letter table").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(defined);
    }

    @Test
    void everyCodeTheEngineRaisesIsAnErrorCode() throws Exception {
        assertThat(constants(ErrorCodes.class)).doesNotHaveDuplicates()
                .containsAll(constants(InvalidInputException.class));
    }
}

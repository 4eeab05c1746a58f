// EPUBCheck over many EPUBs in one Java process (tests/epubcheck/run.sh).
//
// EPUBCheck's command line checks one file per process, and most of a run
// is start-up: loading its classes and compiling its schemas. Through
// EPUBCheck's public API (com.adobe.epubcheck.api.EpubCheck with the report
// its command line uses, DefaultReportImpl) one process checks every file
// named on standard input, one path per line, each with a fresh report, and
// prints for each the messages EPUBCheck's command line prints, then
//   @@ PATH fatals=N errors=N warnings=N
// Run in source-file mode (a JDK): java -cp epubcheck.jar Batch.java < list
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class Batch {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String path;
        int failed = 0; // files whose check threw
        while ((path = in.readLine()) != null) {
            if (path.isEmpty()) continue;
            DefaultReportImpl report = new DefaultReportImpl(path);
            report.initialize();
            int thrown = 0;
            try {
                new EpubCheck(new File(path), report).doValidate();
            } catch (RuntimeException e) {
                // counted as a fatal error of this file; the next file goes on
                System.out.println("FATAL(batch): " + path + ": " + e);
                thrown = 1;
                failed++;
            }
            report.generate();
            System.out.println("@@ " + path + " fatals=" + (report.getFatalErrorCount() + thrown) + " errors="
                               + report.getErrorCount() + " warnings=" + report.getWarningCount());
            System.out.flush();
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}

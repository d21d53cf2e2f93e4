package io.kbstream.core.extract.internal;

import io.kbstream.core.extract.ExtractionException;
import io.kbstream.core.extract.ExtractionException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDocument;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.Filter;
import org.apache.pdfbox.filter.FilterFactory;

/**
 * Refuses PDFs whose streams decode to more than a byte budget, before PDFBox decodes any of them:
 * PDFBox holds a whole decoded stream in memory, so a zip bomb (a few hundred KB of Flate that
 * inflate to gigabytes) would take the indexing job's heap. Each stream is decoded here into a
 * counting sink that stops at the budget, so this check's own memory is bounded too (a chain of
 * filters keeps at most the budget between two of them). Image streams are skipped: text extraction
 * never decodes them.
 */
final class PdfStreamBudget {

    /** Filters only images use; text extraction never decodes their streams. */
    private static final Set<COSName> IMAGE_FILTERS =
            Set.of(
                    COSName.DCT_DECODE,
                    COSName.JPX_DECODE,
                    COSName.JBIG2_DECODE,
                    COSName.CCITTFAX_DECODE);

    private PdfStreamBudget() {}

    /**
     * @throws ExtractionException (CORRUPT) when the non-image streams decode to more than {@code
     *     maxDecodedBytes} together
     */
    static void check(COSDocument doc, long maxDecodedBytes)
            throws ExtractionException, IOException {
        Budget budget = new Budget(maxDecodedBytes);
        // streams stored at a file offset first: they include the object streams, which must be
        // measured before an object inside one is read (reading it decodes the object stream)
        List<COSObjectKey> inObjectStreams = new ArrayList<>();
        for (Map.Entry<COSObjectKey, Long> e : doc.getXrefTable().entrySet()) {
            if (e.getValue() != null && e.getValue() >= 0) {
                measure(doc, e.getKey(), budget);
            } else {
                inObjectStreams.add(e.getKey());
            }
        }
        for (COSObjectKey key : inObjectStreams) {
            measure(doc, key, budget);
        }
    }

    private static void measure(COSDocument doc, COSObjectKey key, Budget budget)
            throws ExtractionException, IOException {
        COSBase object = doc.getObjectFromPool(key).getObject();
        if (object instanceof COSStream stream
                && !COSName.IMAGE.equals(stream.getCOSName(COSName.SUBTYPE))) {
            try {
                decode(stream, budget);
            } catch (BudgetExceeded e) {
                throw e.reason;
            } catch (IOException e) {
                // a damaged stream is PDFBox's to judge (it skips what it cannot read); only the
                // size matters here
            }
        }
    }

    private static void decode(COSStream stream, Budget budget)
            throws ExtractionException, IOException {
        List<COSName> filters = filterNames(stream.getFilters());
        if (filters.stream().anyMatch(IMAGE_FILTERS::contains)) {
            return;
        }
        if (filters.isEmpty()) {
            budget.spend(stream.getLength());
            return;
        }
        byte[] encoded;
        try (InputStream raw = stream.createRawInputStream()) {
            encoded = raw.readAllBytes(); // the stored bytes: no larger than the upload
        }
        for (int i = 0; i < filters.size(); i++) {
            Filter filter = FilterFactory.INSTANCE.getFilter(filters.get(i));
            boolean last = i == filters.size() - 1;
            BudgetedSink sink = new BudgetedSink(budget, !last);
            filter.decode(new ByteArrayInputStream(encoded), sink, stream, i);
            encoded = sink.kept();
        }
    }

    private static List<COSName> filterNames(COSBase filters) {
        List<COSName> names = new ArrayList<>();
        if (filters instanceof COSName name) {
            names.add(name);
        } else if (filters instanceof COSArray array) {
            for (COSBase b : array) {
                if (b instanceof COSName name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static final class Budget {
        final long max;
        long left;

        Budget(long max) {
            this.max = max;
            this.left = max;
        }

        void spend(long bytes) throws ExtractionException {
            left -= bytes;
            if (left < 0) {
                throw new ExtractionException(
                        Reason.CORRUPT,
                        "the PDF's streams expand to more than "
                                + max / (1024 * 1024)
                                + " MB (a compression bomb?)");
            }
        }
    }

    /** Thrown out of a filter (which only declares IOException) when the budget runs out. */
    private static final class BudgetExceeded extends IOException {
        private static final long serialVersionUID = 1L;
        final transient ExtractionException reason;

        BudgetExceeded(ExtractionException reason) {
            super(reason.getMessage(), null);
            this.reason = reason;
        }
    }

    /** Counts what a filter writes against the budget; keeps it only for a next filter. */
    private static final class BudgetedSink extends OutputStream {
        private final Budget budget;
        private final ByteArrayOutputStream kept;

        BudgetedSink(Budget budget, boolean keep) {
            this.budget = budget;
            this.kept = keep ? new ByteArrayOutputStream() : null;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                budget.spend(len);
            } catch (ExtractionException e) {
                throw new BudgetExceeded(e);
            }
            if (kept != null) {
                kept.write(b, off, len);
            }
        }

        byte[] kept() {
            return kept == null ? new byte[0] : kept.toByteArray();
        }
    }
}

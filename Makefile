# coursec — see README.md. `make` builds ./coursec; `make courses` builds every
# course under courses/ into output/; `make test` runs the whole suite.
# `make SAN=address,undefined test` builds with sanitizers (separate build dir);
# `make CHECK=1` builds build-check/coursec with the tree checks of astcheck.h.

PKGS     := libcmark-gfm yaml-0.1 lua5.4 libxml-2.0 libdeflate libmicrohttpd libxxhash
CC       ?= cc
BUILD    := build$(if $(SAN),-san)$(if $(CHECK),-check)
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wundef -Wwrite-strings \
            -Wmissing-prototypes -Wstrict-prototypes -Werror
SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all)
# The tree invariant checks between stages (compiler/astcheck.h): on in
# sanitizer builds and with CHECK=1 (into build-check/), off otherwise
# through NDEBUG, for they cost build time (bench/PROFILE.md).
CHECKDEF := $(if $(or $(SAN),$(CHECK)),-DCOURSEC_CHECK,-DNDEBUG)
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(CFLAGS) $(CHECKDEF) $(SANFLAGS) $(PKGCFLAGS) -MMD -MP
# mimalloc replaces malloc for the whole process (libxml2's trees, Lua and
# cmark-gfm allocate a small block per node): a full build of the 1000-module
# bench course takes 23 % less time with it (bench/PROFILE.md). Not under
# sanitizers, which bring their own allocator. No source file includes it.
MALLOC    = $(if $(SAN),,-Wl,--no-as-needed -lmimalloc -Wl,--as-needed)
LDLIBS    = $(MALLOC) $(PKGLIBS) -lpthread -lm

SRCS := $(wildcard compiler/*.c)
OBJS := $(SRCS:compiler/%.c=$(BUILD)/%.o)
LIBOBJS := $(filter-out $(BUILD)/main.o,$(OBJS))
BIN  := $(if $(or $(SAN),$(CHECK)),$(BUILD)/coursec,coursec)

.PHONY: all deps deps-check courses test clean format fuzz bench

all: deps-check $(BIN)

# Installs missing Debian packages (as root) or prints the apt-get line.
deps-check:
	@sh tests/deps.sh build

$(BIN): $(OBJS)
	$(CC) $(SANFLAGS) -o $@ $(OBJS) $(LDLIBS)
ifneq ($(SAN),)
	@ln -sf $(BUILD)/coursec coursec-san
endif

# coursec linked against Debian's static libraries, to prove it uses them
# through their API alone: a definition of a library symbol in coursec is a
# "multiple definition" error here, where a shared link would let it override
# the library's. glibc stays shared, and so does mimalloc (libmimalloc-dev
# has no .a), and libmicrohttpd (its .a needs a static GnuTLS and its half
# dozen dependencies, and the preview server is no library coursec builds
# with); the C++ runtime that libxml2's ICU needs is linked statically.
# Always from the plain build's objects; tests/static/run.sh builds and runs it.
STATIC_OBJS := $(SRCS:compiler/%.c=build/%.o)
STATIC_LIBS  = -Wl,-Bstatic -lcmark-gfm-extensions -lcmark-gfm \
               $(filter-out -lm -ldl -lpthread,$(shell pkg-config --static --libs-only-l yaml-0.1 lua5.4 libxml-2.0 libdeflate libxxhash 2>/dev/null)) \
               -lstdc++ -Wl,-Bdynamic -lmicrohttpd
ifeq ($(SAN),)
build/coursec-static: $(STATIC_OBJS)
	$(CC) -static-libgcc -o $@ $(STATIC_OBJS) $(MALLOC) $(STATIC_LIBS) -lpthread -lm
endif

$(BUILD)/%.o: compiler/%.c | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# deps first: pkg-config and the -dev packages must exist before compiling
$(BUILD): | deps-check
	@mkdir -p $(BUILD)

COURSES := $(patsubst %/course.yaml,%,$(wildcard courses/*/course.yaml))

courses: all
	./coursec build -o output $(COURSES)

# run-all.sh compiles tests/unit/test_*.c with these flags against $(LIBOBJS).
test: all
	@sh tests/deps.sh test
	@BUILD=$(BUILD) BIN=$(BIN) SAN=$(SAN) CC="$(CC)" \
	  UNIT_CFLAGS="$(filter-out -MMD -MP,$(ALL_CFLAGS))" UNIT_LDFLAGS="$(SANFLAGS)" \
	  UNIT_LDLIBS="$(LDLIBS)" sh tests/run-all.sh

# The long hardening runs (tests/fuzz/fuzz.sh): libFuzzer targets with clang,
# FUZZ_TIME seconds each, into build-fuzz/; the leak fuzz on 1000 courses;
# valgrind on a full build of courses/*/.
FUZZ_TIME ?= 60
fuzz: all
	FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/fuzz.sh

clean:
	rm -rf build build-san build-check build-fuzz coursec coursec-san

format:
	clang-format -i compiler/*.c compiler/*.h

-include $(OBJS:.o=.d)

# `make install PREFIX=/usr/local DESTDIR=`: the binary in PREFIX/bin; coursec's
# data (the standard filters lua/, the themes themes/, the `coursec new`
# template courses/starter/) in PREFIX/share/coursec, where the binary finds it as
# ../share/coursec; the man page coursec(1) and the authoring guide.
# `make uninstall` (same PREFIX and DESTDIR) removes exactly those.
PREFIX  ?= /usr/local
DATADIR  = $(PREFIX)/share/coursec
MANDIR   = $(PREFIX)/share/man/man1
DOCDIR   = $(PREFIX)/share/doc/coursec
DATA_FILES = $(sort $(shell find lua themes courses/starter -type f))

.PHONY: install uninstall

install: all
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 755 $(BIN) "$(DESTDIR)$(PREFIX)/bin/coursec"
	for f in $(DATA_FILES); do install -D -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done
	install -D -m 644 docs/coursec.1 "$(DESTDIR)$(MANDIR)/coursec.1"
	install -D -m 644 docs/authoring.md "$(DESTDIR)$(DOCDIR)/authoring.md"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/coursec" "$(DESTDIR)$(MANDIR)/coursec.1"
	rm -rf "$(DESTDIR)$(DATADIR)" "$(DESTDIR)$(DOCDIR)"

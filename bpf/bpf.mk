# Make fragment for the tc-BPF IPIP datapath. Include it from the top-level Makefile:
#     include bpf/bpf.mk
# `make bpf` compiles bpf/calico_ipip.bpf.c into .build/bpf/calico_ipip.bpf.o and regenerates
# Sources/CNetShim/calico_ipip_bpf_object.h (committed) whenever the source or the embed
# script changed. Paths are relative to the directory of the including Makefile's repository
# root (this file's parent), and the compiler sees relative paths only, so the embedded object
# (BTF line info) does not depend on where the checkout lives.
#
# Knobs: CLANG (needs the BPF target; the Swift toolchain's clang has it), LLVM_OBJCOPY (drops
# DWARF but keeps .BTF/.BTF.ext, which libbpf needs for the map definitions), PYTHON,
# BPF_MULTIARCH (Debian's asm/ include directory), BPF_CFLAGS.

BPF_ROOT := $(patsubst %/,%,$(dir $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))))
BPF_ROOT := $(if $(BPF_ROOT),$(BPF_ROOT),.)

CLANG ?= clang
LLVM_OBJCOPY ?= llvm-objcopy
PYTHON ?= python3
BPF_MULTIARCH ?= $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
BPF_CFLAGS ?= -O2 -g -Wall -Wextra -Werror

BPF_SRC := bpf/calico_ipip.bpf.c
BPF_OBJ := .build/bpf/calico_ipip.bpf.o
BPF_HDR := Sources/CNetShim/calico_ipip_bpf_object.h

.PHONY: bpf bpf-clean
bpf: $(BPF_ROOT)/$(BPF_HDR)

$(BPF_ROOT)/$(BPF_OBJ): $(BPF_ROOT)/$(BPF_SRC) $(lastword $(MAKEFILE_LIST))
	@mkdir -p $(dir $@)
	cd $(BPF_ROOT) && $(CLANG) -target bpf $(BPF_CFLAGS) -I/usr/include/$(BPF_MULTIARCH) \
		-fdebug-prefix-map=$$(pwd)=. -c $(BPF_SRC) -o $(BPF_OBJ).tmp
	cd $(BPF_ROOT) && $(LLVM_OBJCOPY) --strip-debug $(BPF_OBJ).tmp $(BPF_OBJ) && rm -f $(BPF_OBJ).tmp

$(BPF_ROOT)/$(BPF_HDR): $(BPF_ROOT)/$(BPF_OBJ) $(BPF_ROOT)/scripts/embed-bpf.py
	cd $(BPF_ROOT) && $(PYTHON) scripts/embed-bpf.py $(BPF_OBJ) $(BPF_HDR) --source $(BPF_SRC)
	@touch $@

bpf-clean:
	rm -f $(BPF_ROOT)/$(BPF_OBJ) $(BPF_ROOT)/$(BPF_OBJ).tmp

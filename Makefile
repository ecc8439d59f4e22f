# Makefile — the front door: build, demo, test, bench (meson + ninja underneath).
.PHONY: all build build-san deps demo test bench clean

PORT ?= 8080

all: build

deps:
	@scripts/install-deps.sh build

build: deps
	@[ -f build/build.ninja ] || meson setup build --buildtype=debugoptimized >/dev/null
	@ninja -C build

# Tests run against an AddressSanitizer + UndefinedBehaviorSanitizer build.
build-san:
	@scripts/install-deps.sh test
	@[ -f build-san/build.ninja ] || meson setup build-san --buildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	@ninja -C build-san

demo: build
	@if [ -f demo-data/mimamori.db ]; then \
		echo "demo ward already in ./demo-data (remove it for a new one):"; \
		grep -E '^(ward admin|approver|site G01)' demo-data/demo-credentials.txt; \
	else \
		build/mimamori demo --data demo-data; \
	fi
	@echo "open http://127.0.0.1:$(PORT)/ : /staff/ (staff board), /kiosk/ (club kiosk), /parent/ (guardians)."
	@echo "  /ward/ (ward admin: all sites at a glance, site settings, cards, kiosks, users; login admin),"
	@echo "  /staff/reports.html (reports and the handover ledger), /staff/emergency.html (emergency mail:"
	@echo "  compose to all sites as admin, approve as contractor). Card codes for the kiosk: demo-data/demo-cards.csv."
	@echo "  /school/ward.html (schools' mass mail: 48 schools, 43,000 registrations; admin or ward-staff),"
	@echo "  /school/registrants.html (school-E01), /school/send.html (compose and send: school-E01, or sender-E01"
	@echo "  from an approved device; the ward approves sends to several schools there), /school/sender.html (counts)."
	@echo "  /bathpass/counter.html (bath-pass counter: bath-b01), /bathpass/office.html (head office: bath-office;"
	@echo "  imports approved by a second person, bath-office2; the daily list and the yearly counts)."
	@echo "  /sitter/apply.html (babysitter subsidy: apply on a phone, no account), /sitter/office.html (sitter-op,"
	@echo "  sitter-sv, sitter-ward, sitter-approver), /homehelp/office.html (household support: homehelp-op … -approver)."
	@echo "  /plaza/desk.html (plaza desks: plaza-hirai … plaza-minamishinozaki; counts and yearly work at /plaza/admin.html as admin),"
	@echo "  /youth/ (youth support casework: youth-hirai, youth-kasai; the supervisor youth-sv), /centre/ (development centre:"
	@echo "  centre-mgr, centre-staff1; the parent centre-parent at /centre/parent.html), /course/ (course sign-up, no account;"
	@echo "  the staff course-staff at /course/staff.html), /exchange/send.html and /exchange/inbox.html (file exchange:"
	@echo "  ex-contractor sends, ex-ward receives; the password comes in a separate mail)."
	@echo "mail goes into the Maildir demo-data/mail (read it with: mutt -f demo-data/mail)."
	@echo "stop with Ctrl-C."
	@# the guardians' mail links point at the port served (make demo PORT=…)
	@sed -i 's|^base_url = http://127\.0\.0\.1:[0-9]*$$|base_url = http://127.0.0.1:$(PORT)|' demo-data/mimamori.conf
	@build/mimamori serve --data demo-data --listen 127.0.0.1:$(PORT)

test: build-san
	@tests/run_all.sh

bench: build
	@scripts/install-deps.sh bench
	@bench/run.sh

clean:
	rm -rf build build-san

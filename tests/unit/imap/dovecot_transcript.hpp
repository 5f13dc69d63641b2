// A session recorded from Dovecot 2.3 (the test fixture, plaintext on loopback) with
// dovecot_sandbox: greeting, CAPABILITY, LOGIN, ENABLE QRESYNC, LIST-STATUS with SPECIAL-USE,
// SELECT with QRESYNC, FETCH with header fields and a partial body, ESEARCH, STORE, MOVE
// (COPYUID, VANISHED), STATUS, APPEND refused with TRYCREATE, LOGOUT. Only server bytes.

#pragma once

namespace postfach::imap::testdata {

inline constexpr char dovecot_session[] =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
    "AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\r\n"
    "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN "
    "AUTH=LOGIN\r\n"
    "a1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n"
    "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
    "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT "
    "CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT "
    "SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW "
    "STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE\r\n"
    "a2 OK Logged in\r\n"
    "* ENABLED QRESYNC\r\n"
    "a3 OK Enabled (0.001 + 0.000 secs).\r\n"
    "* LIST () \"/\" Archive\r\n"
    "* STATUS Archive (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1795674141)\r\n"
    "* LIST (\\Drafts) \"/\" Drafts\r\n"
    "* STATUS Drafts (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1795674142)\r\n"
    "* LIST (\\Sent) \"/\" Sent\r\n"
    "* STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1795674143)\r\n"
    "* LIST (\\Trash) \"/\" Trash\r\n"
    "* STATUS Trash (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1795674144)\r\n"
    "* LIST () \"/\" INBOX\r\n"
    "* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1795674140)\r\n"
    "a4 OK List completed (0.126 + 0.000 + 0.125 secs).\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
    "* 1 EXISTS\r\n"
    "* 1 RECENT\r\n"
    "* OK [UIDVALIDITY 1795674140] UIDs valid\r\n"
    "* OK [UIDNEXT 2] Predicted next UID\r\n"
    "* OK [HIGHESTMODSEQ 2] Highest\r\n"
    "a5 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n"
    "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen \\Recent) RFC822.SIZE 328 INTERNALDATE \"26-Nov-2026 "
    "08:00:00 +0000\" MODSEQ (2) BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)] {80}\r\n"
    "Subject: Lunch on Friday? #0\r\n"
    "Message-ID: <16873.0.1795674140@postfach.test>\r\n"
    "\r\n"
    " BODY[]<0> {40}\r\n"
    "From: Test Sender <sender@postfach.test>)\r\n"
    "a6 OK Fetch completed (0.001 + 0.000 secs).\r\n"
    "* ESEARCH (TAG \"a7\") UID MIN 1 MAX 1 ALL 1 COUNT 1\r\n"
    "a7 OK Search completed (0.001 + 0.000 secs).\r\n"
    "a8 OK Store completed (0.005 + 0.000 + 0.004 secs).\r\n"
    "* OK [COPYUID 1795674144 1 1] Moved UIDs.\r\n"
    "* VANISHED 1\r\n"
    "* 0 RECENT\r\n"
    "a9 OK [HIGHESTMODSEQ 3] Move completed (0.014 + 0.000 + 0.013 secs).\r\n"
    "* STATUS Trash (MESSAGES 1 UIDNEXT 2 HIGHESTMODSEQ 2)\r\n"
    "a10 OK Status completed (0.001 + 0.000 secs).\r\n"
    "a11 NO [TRYCREATE] Mailbox doesn't exist: Nowhere (0.001 + 0.000 secs).\r\n"
    "* BYE Logging out\r\n"
    "a12 OK Logout completed (0.001 + 0.000 secs).\r\n";

} // namespace postfach::imap::testdata

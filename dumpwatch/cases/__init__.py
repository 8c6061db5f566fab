"""Takedown cases: from a finding to a removed post, every step recorded.

    config.py    config/takedown.yaml: who the notifier is, SMTP, RDAP, re-check interval
    rdap.py      abuse contact and hosting country by RDAP (whoisit) or from the profile
    notices.py   XARF v4, EU DSA Art. 16 and Korean 삭제요청 notices from Jinja2 templates
    sending.py   e-mail over SMTP or a webhook
    recheck.py   re-fetch, re-scan, record removal; re-open on a re-post
    service.py   the case API the CLI, the monitor and the demo call
"""

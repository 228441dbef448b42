"""The things a person may do in the back-office, named once.

The names are the vocabulary every app shares: a domain's panel on a workspace page asks
`Can.EDIT_SITE in desk.can` without knowing roles. Which role grants which capability, and the
queries that decide it, are `accounts.permissions`. A new domain adds its capabilities here (and to
the roles there, and to the role matrix of the tests).
"""

from __future__ import annotations

from enum import StrEnum


class Can(StrEnum):
    VIEW_SITE = "view_site"  # the staff home of a site: today's hours, appointments, loans
    EDIT_SITE = "edit_site"  # information, services, hours and closures; mark as verified
    MANAGE_SITES = "manage_sites"  # an organisation's list of sites
    MANAGE_TEAM = "manage_team"  # invite, change roles, deactivate
    VIEW_AUDIT = "view_audit"  # the audit trail of the organisation
    REFER = "refer"  # send a resident to a site and follow the referral
    VIEW_FIGURES = "view_figures"  # aggregated figures only
    REGISTER_CONTACTS = "register_contacts"  # register visits and their questions at a site
    MANAGE_APPOINTMENTS = "manage_appointments"  # the agenda: book for a caller, mark as helped
    HANDLE_REFERRALS = "handle_referrals"  # the site's inbox of referred residents
    ISSUE_VISITOR_CODES = "issue_visitor_codes"  # print cards with visitor codes
    MANAGE_TOKENS = "manage_tokens"  # API tokens of the organisation
    LEND_DEVICES = "lend_devices"  # the lending desk: lend, renew, take back, wipe; borrowers
    MANAGE_DEVICES = "manage_devices"  # the inventory: add and change devices, set them aside
    SET_LENDING_RULES = "set_lending_rules"  # an organisation's lending rules and loan agreement
    RUN_SESSIONS = "run_sessions"  # a session's roster: attendance, walk-ins
    MANAGE_COURSES = "manage_courses"  # the course catalogue and its sessions; cancel a session
    WRITE_HELP_CARDS = "write_help_cards"  # write help cards and publish new versions
    # A resident's request to see or erase their data; retention periods; register of processing.
    MANAGE_PRIVACY = "manage_privacy"
    # An organisation's grants: which funder pays for which site, how much, until when.
    MANAGE_FUNDING = "manage_funding"

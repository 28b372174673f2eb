"""Validation against human coding: draw a sample, code it blind, measure agreement and each scorer's performance."""
